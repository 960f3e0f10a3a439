import { parseTimestamp } from '../platform/http/timestamp';
import type { Purpose } from './catalogue';

/** A purpose as written in `schemas/purposes.json`, before its defaults are filled. */
export type PurposeDeclaration = Omit<Purpose, 'basis' | 'caseRefRequired'> &
  Partial<Pick<Purpose, 'basis' | 'caseRefRequired'>>;

export interface PurposeProblem {
  /** Below `/purposes/<index>`. */
  pointer: string;
  message: string;
}

/**
 * What the meta-schema cannot say about a purpose's basis: a consent purpose
 * has a longest consent and nothing of a statute's; a statute purpose takes
 * no consent, and its window, if any, is a real interval. Pure.
 */
export function checkPurposeBasis(purpose: PurposeDeclaration): PurposeProblem[] {
  const problems: PurposeProblem[] = [];
  const basis = purpose.basis ?? 'consent';
  if (basis === 'consent') {
    if (purpose.maxConsentDays === undefined) {
      problems.push({ pointer: '', message: 'a consent purpose needs "maxConsentDays"' });
    }
    for (const field of ['effectiveFrom', 'effectiveUntil', 'disclosure'] as const) {
      if (purpose[field] !== undefined) {
        problems.push({ pointer: `/${field}`, message: 'belongs to a statute purpose ("basis": "statute") only' });
      }
    }
    return problems;
  }
  if (purpose.maxConsentDays !== undefined) {
    problems.push({
      pointer: '/maxConsentDays',
      message: 'a statute purpose takes no consent, so it has no consent duration',
    });
  }
  const instant = (field: 'effectiveFrom' | 'effectiveUntil'): Date | undefined => {
    const text = purpose[field];
    if (text === undefined) return undefined;
    const parsed = parseTimestamp(text);
    if (parsed === undefined) problems.push({ pointer: `/${field}`, message: 'is not an RFC 3339 date-time' });
    return parsed;
  };
  const from = instant('effectiveFrom');
  const until = instant('effectiveUntil');
  if (from !== undefined && until !== undefined && until.getTime() <= from.getTime()) {
    problems.push({ pointer: '/effectiveUntil', message: 'must be after effectiveFrom' });
  }
  return problems;
}

/** The purpose with its defaults: consent, and no case reference required. */
export function withBasisDefaults(purpose: PurposeDeclaration): Purpose {
  return { ...purpose, basis: purpose.basis ?? 'consent', caseRefRequired: purpose.caseRefRequired ?? false };
}
