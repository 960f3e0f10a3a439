import Ajv from 'ajv';
import { describeSchemaErrors, type FieldProblem } from '../platform/http/schema-problems';
import { isTimestamp, parseTimestamp } from '../platform/http/timestamp';
import type { Basis } from '../contracts/catalogue';
import type { ConsentMode, ConsentProduct, ConsentTerms } from './consent';

export type { FieldProblem };

/** What the rules need to know about the contracts, the purposes and the organisations. */
export interface TermsContext {
  now: Date;
  /** The purpose's basis, or undefined when there is no such purpose. */
  purposeBasis(purpose: string): Basis | undefined;
  /** The purpose's longest consent, or undefined when there is no such purpose (or it rests on a statute). */
  maxConsentDays(purpose: string): number | undefined;
  /** The fields `requester` may receive of `product` for `purpose`; undefined when it may not ask at all. */
  allowedFields(product: string, requester: string, purpose: string): readonly string[] | undefined;
  /** Whether the product exists, and whether `requester` may ask for it for some purpose. */
  productAccess(product: string, requester: string): 'unknown' | 'not-granted' | 'granted';
}

/** The consent terms as a citizen (or an agency's request) writes them. */
export interface TermsInput {
  requester: string;
  purpose: string;
  products: (string | { product: string; fields?: string[] })[];
  validFrom?: string;
  validUntil?: string;
  mode?: ConsentMode;
  /** Keep the requester up to date with changes to these products: an ongoing consent only. */
  keepUpToDate?: boolean;
}

const NAME = '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$';
const PRODUCT = {
  oneOf: [
    { type: 'string', pattern: NAME, maxLength: 100 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['product'],
      properties: {
        product: { type: 'string', pattern: NAME, maxLength: 100 },
        fields: {
          type: 'array',
          minItems: 1,
          maxItems: 100,
          items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*$', maxLength: 64 },
        },
      },
    },
  ],
};

export const TERMS_PROPERTIES = {
  requester: { type: 'string', pattern: NAME, maxLength: 64 },
  purpose: { type: 'string', pattern: NAME, maxLength: 100 },
  products: { type: 'array', minItems: 1, maxItems: 20, items: PRODUCT },
  validFrom: { type: 'string', format: 'date-time', maxLength: 40 },
  validUntil: { type: 'string', format: 'date-time', maxLength: 40 },
  mode: { type: 'string', enum: ['one-time', 'ongoing'] },
  keepUpToDate: { type: 'boolean' },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
// Not ajv-formats' date-time: it passes leap seconds and hour-only offsets that no Date can hold (then a 500).
ajv.addFormat('date-time', { type: 'string', validate: isTimestamp });

/** Compiles a request schema once; its errors come back as pointers and messages. */
export function compileShape<T>(schema: Record<string, unknown>): (body: unknown) => T | FieldProblem[] {
  const validate = ajv.compile<T>(schema);
  return (body) => (validate(body) ? body : describeSchemaErrors(validate.errors ?? []));
}

const DAY_MS = 86_400_000;
/** A consent may start a little in the past (clock skew between the portal and the gateway), not more. */
const PAST_START_TOLERANCE_MS = 5 * 60_000;

/**
 * Checks consent terms against the contracts and the purpose's cap, and
 * fills the defaults: from now, for the purpose's longest duration, ongoing.
 * Pure: the same input and context give the same answer.
 */
export function checkTerms(input: TermsInput, context: TermsContext): ConsentTerms | FieldProblem[] {
  const problems: FieldProblem[] = [];
  const maxDays = context.maxConsentDays(input.purpose);
  if (maxDays === undefined) problems.push({ pointer: '/purpose', message: 'is not a known purpose' });

  const products: ConsentProduct[] = [];
  const seen = new Set<string>();
  input.products.forEach((entry, index) => {
    const { product, fields } = typeof entry === 'string' ? { product: entry, fields: undefined } : entry;
    const pointer = `/products/${index}`;
    if (seen.has(product)) {
      problems.push({ pointer, message: 'is listed twice' });
      return;
    }
    seen.add(product);
    const allowed = maxDays === undefined ? undefined : context.allowedFields(product, input.requester, input.purpose);
    if (maxDays !== undefined && allowed === undefined) {
      problems.push({ pointer, message: 'may not be requested by this organisation for this purpose' });
      return;
    }
    if (fields !== undefined && allowed !== undefined) {
      const unique = new Set(fields);
      if (unique.size !== fields.length)
        problems.push({ pointer: `${pointer}/fields`, message: 'lists a field twice' });
      fields.forEach((field, i) => {
        if (!allowed.includes(field)) {
          problems.push({ pointer: `${pointer}/fields/${i}`, message: 'is not a field this purpose may receive' });
        }
      });
    }
    products.push(fields === undefined ? { product } : { product, fields: [...fields] });
  });

  const now = context.now.getTime();
  // The schema checked the format already; a caller that skipped it still never gets a NaN instant.
  const instant = (text: string | undefined, pointer: string, fallback: number): number => {
    if (text === undefined) return fallback;
    const parsed = parseTimestamp(text);
    if (parsed === undefined) problems.push({ pointer, message: 'is not an RFC 3339 date-time' });
    return parsed?.getTime() ?? Number.NaN;
  };
  const validFrom = instant(input.validFrom, '/validFrom', now);
  if (validFrom < now - PAST_START_TOLERANCE_MS) {
    problems.push({ pointer: '/validFrom', message: 'must not be in the past' });
  }
  let validUntil = Number.NaN;
  if (maxDays !== undefined) {
    const cap = validFrom + maxDays * DAY_MS;
    // A NaN compares false both ways below: its problem is the one `instant` named.
    validUntil = instant(input.validUntil, '/validUntil', cap);
    if (validUntil <= Math.max(validFrom, now)) {
      problems.push({ pointer: '/validUntil', message: 'must be after validFrom and in the future' });
    } else if (validUntil > cap) {
      problems.push({ pointer: '/validUntil', message: `exceeds this purpose's maximum of ${maxDays} days` });
    }
  }
  if (input.keepUpToDate === true && input.mode === 'one-time') {
    problems.push({ pointer: '/keepUpToDate', message: 'only an ongoing consent keeps an organisation up to date' });
  }
  if (problems.length > 0) return problems;
  return {
    requester: input.requester,
    purpose: input.purpose,
    products,
    validFrom: new Date(validFrom),
    validUntil: new Date(validUntil),
    mode: input.mode ?? 'ongoing',
    keepUpToDate: input.keepUpToDate ?? false,
  };
}

/**
 * A purpose that rests on a statute asks for no consent: a grant or a request
 * for one is a bad request (400) naming the purpose, before any other check.
 */
export function statutePurposeProblem(input: Pick<TermsInput, 'purpose'>, context: TermsContext): FieldProblem[] {
  return context.purposeBasis(input.purpose) === 'statute'
    ? [{ pointer: '/purpose', message: 'rests on a statute: no consent is given or asked for it' }]
    : [];
}

/**
 * Why terms that `checkTerms` refused were refused, for the audit record of
 * an agency's request. The agency's answer names the fields at fault; the
 * record says what the answer leaves out (whether a product it may not ask
 * for exists at all), in the words of the exchange refusals, so an officer
 * reads one vocabulary. The first problem in this order names the refusal.
 */
export type TermsRefusal =
  | 'unknown-purpose'
  | 'unknown-product'
  | 'product-not-granted'
  | 'purpose-not-granted'
  | 'field-not-granted'
  | 'statute-purpose'
  | 'invalid-terms';

export function termsRefusal(input: TermsInput, context: TermsContext): TermsRefusal {
  if (context.purposeBasis(input.purpose) === 'statute') return 'statute-purpose';
  if (context.maxConsentDays(input.purpose) === undefined) return 'unknown-purpose';
  const entries = input.products.map((entry) => (typeof entry === 'string' ? { product: entry } : entry));
  const access = entries.map((entry) => context.productAccess(entry.product, input.requester));
  if (access.includes('unknown')) return 'unknown-product';
  if (access.includes('not-granted')) return 'product-not-granted';
  const allowed = entries.map((entry) => context.allowedFields(entry.product, input.requester, input.purpose));
  if (allowed.includes(undefined)) return 'purpose-not-granted';
  const widened = entries.some((entry, i) => entry.fields?.some((field) => !(allowed[i] ?? []).includes(field)));
  return widened ? 'field-not-granted' : 'invalid-terms';
}
