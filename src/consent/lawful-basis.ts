/**
 * The one decision "may this requester have this product for this purpose
 * about this citizen now, and on what basis?". Pure: the same facts give the
 * same answer. The lawful-basis service gathers the facts (no SQL elsewhere
 * reads consents) and calls it once per exchange.
 */
import type { Purpose } from '../contracts/catalogue';
import { windowAt } from './in-force';

/** Why an exchange is refused. The caller only ever sees 403 `consent-required`; the audit keeps this. */
export type DenyReason =
  | 'no-consent'
  | 'other-purpose'
  | 'other-organisation'
  | 'other-product'
  | 'not-yet-valid'
  | 'expired'
  | 'revoked'
  | 'refused'
  | 'other-citizen'
  | 'statute-not-yet-in-force'
  | 'statute-no-longer-in-force';

/** What the decision needs to know of one consent record (the current record of its chain). */
export interface ConsentFacts {
  id: string;
  citizen: string;
  requester: string;
  purpose: string;
  products: readonly string[];
  validFrom: Date;
  validUntil: Date;
  status: 'pending' | 'active' | 'refused' | 'revoked' | 'expired';
}

/** The question, as the agency asked it. */
export interface BasisQuestion {
  citizen: string;
  requester: string;
  product: string;
  purpose: Pick<Purpose, 'code' | 'basis' | 'legalReference' | 'caseRefRequired' | 'effectiveFrom' | 'effectiveUntil'>;
  caseRef?: string;
  /** The consent the agency relies on, when it named one. */
  consentId?: string;
}

export interface BasisFacts extends BasisQuestion {
  now: Date;
  /** The consent the lookup found in force for (citizen, requester, purpose, product) at `now`, if any. */
  found?: string;
  /** The citizen's current consent records, and the named one whoever it belongs to: read only when nothing was found. */
  consents: readonly ConsentFacts[];
}

export type BasisAllowed =
  | { allow: true; basis: 'consent'; consentId: string }
  | { allow: true; basis: 'statute'; legalReference: string };

export type BasisRefused =
  | { allow: false; answer: 'consent-required'; reason: DenyReason }
  /** A purpose that requires a case reference, asked without one: 400 naming `/caseRef`. */
  | { allow: false; answer: 'invalid-request'; reason: 'case-ref-missing' };

export type BasisDecision = BasisAllowed | BasisRefused;

const deny = (reason: DenyReason): BasisRefused => ({ allow: false, answer: 'consent-required', reason });

/**
 * A request without the case reference its purpose requires is malformed,
 * whatever the basis. A statute purpose holds inside its window in force, for
 * anyone its purpose's access rules admit (the contract step checked them).
 * A consent purpose holds when a consent of this citizen covers the request
 * now; otherwise the nearest consent names the reason.
 */
export function decideBasis(facts: BasisFacts): BasisDecision {
  const { purpose } = facts;
  if (purpose.caseRefRequired && (facts.caseRef === undefined || facts.caseRef === '')) {
    return { allow: false, answer: 'invalid-request', reason: 'case-ref-missing' };
  }
  if (purpose.basis === 'statute') {
    const position = statuteWindowAt(purpose, facts.now);
    if (position === 'before') return deny('statute-not-yet-in-force');
    if (position === 'after') return deny('statute-no-longer-in-force');
    return { allow: true, basis: 'statute', legalReference: purpose.legalReference };
  }
  if (facts.found !== undefined && facts.consentId === undefined) {
    return { allow: true, basis: 'consent', consentId: facts.found };
  }
  const decision = decideConsent({ ...facts, purpose: purpose.code });
  return decision.allow ? { allow: true, basis: 'consent', consentId: decision.consentId } : deny(decision.reason);
}

/** Where `now` falls against a statute's window in force. */
export function statuteWindowAt(
  purpose: Pick<Purpose, 'effectiveFrom' | 'effectiveUntil'>,
  now: Date,
): 'before' | 'inside' | 'after' {
  const instant = (text: string | undefined): Date | undefined => (text === undefined ? undefined : new Date(text));
  return windowAt(instant(purpose.effectiveFrom), instant(purpose.effectiveUntil), now);
}

interface ConsentQuestion {
  citizen: string;
  requester: string;
  purpose: string;
  product: string;
  now: Date;
  consentId?: string;
  consents: readonly ConsentFacts[];
}

function standing(consent: ConsentFacts, now: Date): DenyReason | undefined {
  if (consent.status === 'revoked') return 'revoked';
  if (consent.status === 'refused' || consent.status === 'pending') return 'refused';
  if (consent.status === 'expired') return 'expired';
  const position = windowAt(consent.validFrom, consent.validUntil, now);
  if (position === 'after') return 'expired';
  if (position === 'before') return 'not-yet-valid';
  return undefined;
}

/** How close a consent comes to covering the request: the nearest miss names the reason. */
function mismatch(consent: ConsentFacts, facts: ConsentQuestion): DenyReason | undefined {
  if (consent.requester !== facts.requester) return 'other-organisation';
  if (consent.purpose !== facts.purpose) return 'other-purpose';
  if (!consent.products.includes(facts.product)) return 'other-product';
  return undefined;
}

const CLOSENESS: Record<string, number> = {
  'other-organisation': 1,
  'other-product': 2,
  'other-purpose': 2,
};

type ConsentDecision = { allow: true; consentId: string } | { allow: false; reason: DenyReason };

/**
 * Allows only when an active consent of this citizen covers (requester,
 * purpose, product) and now is inside `[validFrom, validUntil)`. Otherwise
 * names the precise reason, from the consent that comes closest.
 */
function decideConsent(facts: ConsentQuestion): ConsentDecision {
  if (facts.consentId !== undefined) {
    const named = facts.consents.find((c) => c.id === facts.consentId);
    if (named === undefined) return { allow: false, reason: 'no-consent' };
    if (named.citizen !== facts.citizen) return { allow: false, reason: 'other-citizen' };
    const reason = mismatch(named, facts) ?? standing(named, facts.now);
    return reason === undefined ? { allow: true, consentId: named.id } : { allow: false, reason };
  }
  const own = facts.consents.filter((c) => c.citizen === facts.citizen);
  const covering = own.filter((c) => mismatch(c, facts) === undefined);
  const inForce = covering.find((c) => standing(c, facts.now) === undefined);
  if (inForce !== undefined) return { allow: true, consentId: inForce.id };
  if (covering.length > 0) {
    // The most recent covering consent says why it no longer (or not yet) holds.
    const latest = [...covering].sort((a, b) => b.validUntil.getTime() - a.validUntil.getTime())[0];
    return { allow: false, reason: standing(latest, facts.now) ?? 'no-consent' };
  }
  let best: DenyReason = 'no-consent';
  for (const consent of own) {
    const reason = mismatch(consent, facts);
    if (reason !== undefined && CLOSENESS[reason] > (CLOSENESS[best] ?? 0)) best = reason;
  }
  return { allow: false, reason: best };
}
