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
