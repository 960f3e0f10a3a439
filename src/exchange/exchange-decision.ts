/**
 * The decision "may this request be served?" and the minimisation of what is
 * released. Pure functions: same facts, same answer.
 */

/**
 * Why the contract refuses a request before any consent is looked at. The
 * caller is told only `product-not-found` (the first three: a product it may
 * not have is answered like one that does not exist) or `purpose-not-allowed`;
 * the audit keeps this, so that officers can tell probing from a typo.
 */
export type ContractRefusal =
  | 'unknown-product'
  | 'unknown-version'
  | 'product-not-granted'
  | 'unknown-purpose'
  | 'purpose-not-granted';

/** What the contract check needs to know, read from the catalogue. */
export interface ContractFacts<C> {
  /** Some version of the product is in the catalogue. */
  productExists: boolean;
  /** The requested version's contract, if there is one. */
  contract: C | undefined;
  /** That version's access rules name the requester, for any purpose. */
  granted: boolean;
  purposeExists: boolean;
  /** The fields the requester may receive of that version for the purpose, if it may ask at all. */
  fields: readonly string[] | undefined;
}

export interface ContractRefused {
  allow: false;
  answer: 'product-not-found' | 'purpose-not-allowed';
  reason: ContractRefusal;
}

export type ContractDecision<C> = { allow: true; contract: C; fields: readonly string[] } | ContractRefused;

/** The contract step: which answer the caller gets, and the precise reason the audit keeps. */
export function decideContract<C>(facts: ContractFacts<C>): ContractDecision<C> {
  const refuse = (answer: ContractRefused['answer'], reason: ContractRefusal): ContractRefused => ({
    allow: false,
    answer,
    reason,
  });
  if (!facts.productExists) return refuse('product-not-found', 'unknown-product');
  if (facts.contract === undefined) return refuse('product-not-found', 'unknown-version');
  if (!facts.granted) return refuse('product-not-found', 'product-not-granted');
  if (facts.fields !== undefined) return { allow: true, contract: facts.contract, fields: facts.fields };
  return refuse('purpose-not-allowed', facts.purposeExists ? 'purpose-not-granted' : 'unknown-purpose');
}

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
  | 'other-citizen';

export type Decision = { allow: true; consentId: string } | { allow: false; reason: DenyReason };

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

export interface ExchangeFacts {
  citizen: string;
  requester: string;
  purpose: string;
  product: string;
  now: Date;
  /** The consent the agency named, if it named one. */
  consentId?: string;
  /** The citizen's consents, and the named one whoever it belongs to. */
  consents: readonly ConsentFacts[];
}

function standing(consent: ConsentFacts, now: Date): DenyReason | undefined {
  const t = now.getTime();
  if (consent.status === 'revoked') return 'revoked';
  if (consent.status === 'refused' || consent.status === 'pending') return 'refused';
  if (consent.status === 'expired' || t >= consent.validUntil.getTime()) return 'expired';
  if (t < consent.validFrom.getTime()) return 'not-yet-valid';
  return undefined;
}

/** How close a consent comes to covering the request: the nearest miss names the reason. */
function mismatch(consent: ConsentFacts, facts: ExchangeFacts): DenyReason | undefined {
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

/**
 * Allows only when an active consent of this citizen covers (requester,
 * purpose, product) and now is inside `[validFrom, validUntil)`. Otherwise
 * names the precise reason, from the consent that comes closest.
 */
export function decideExchange(facts: ExchangeFacts): Decision {
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

/**
 * Cuts the data to the fields the contract allows this purpose, then to the
 * consent's narrowing when the citizen narrowed it. A field outside either
 * never appears, whatever the source sent.
 */
export function minimise(
  data: Record<string, unknown>,
  allowed: readonly string[],
  narrowed: readonly string[] | undefined,
): Record<string, unknown> {
  const keep = narrowed === undefined ? allowed : allowed.filter((field) => narrowed.includes(field));
  const released: Record<string, unknown> = {};
  for (const field of keep) if (Object.hasOwn(data, field)) released[field] = data[field];
  return released;
}

/** How an exchange ended, for the metrics: released, refused by policy, or not delivered. */
export type ExchangeOutcome = 'allow' | 'deny' | 'error';

const POLICY_REFUSALS = new Set(['product-not-found', 'purpose-not-allowed', 'consent-required']);

/** The outcome of an exchange that threw `error` (undefined: it was released). */
export function exchangeOutcome(error: unknown): ExchangeOutcome {
  if (error === undefined) return 'allow';
  const code: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  return typeof code === 'string' && POLICY_REFUSALS.has(code) ? 'deny' : 'error';
}
