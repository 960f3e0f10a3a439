/**
 * What an organisation would receive if the citizen approved its pending
 * request, decided before anything is fetched. Pure: the same request and
 * contracts give the same plan.
 */
import { minimise } from '../exchange/exchange-decision';

/** The consent request as the plan needs it: who asks, why, and for which products (each optionally narrowed). */
export interface PreviewRequest {
  requester: string;
  purpose: string;
  products: readonly { product: string; fields?: readonly string[] }[];
}

/** The catalogue, as far as the plan reads it. */
export interface ContractLookup<C> {
  latest(product: string): C | undefined;
  allowedFields(contract: C, requester: string, purpose: string): readonly string[] | undefined;
}

/**
 * For each product of the request: the contract and the rule the exchange
 * would cut the data with (`allowed`, then the request's `narrowed`), or
 * why nothing of it would be sent: the product is no longer catalogued, or
 * the contract no longer lets the requester have it for this purpose (the
 * approval would then be refused too).
 */
export type PreviewItem<C> =
  | { product: string; send: true; contract: C; allowed: readonly string[]; narrowed: readonly string[] | undefined }
  | { product: string; send: false; reason: 'unknown-product' | 'not-granted' };

/**
 * Plans the preview of a request. The exchange that follows an approval
 * reads the contract's fields for (requester, purpose) and the consent's
 * narrowing, which is the request's: the same two lists here, so that
 * `wouldReceive` cuts the data exactly as the exchange's `minimise` will.
 */
export function planPreview<C>(request: PreviewRequest, contracts: ContractLookup<C>): PreviewItem<C>[] {
  return request.products.map(({ product, fields }) => {
    const contract = contracts.latest(product);
    if (contract === undefined) return { product, send: false, reason: 'unknown-product' };
    const allowed = contracts.allowedFields(contract, request.requester, request.purpose);
    if (allowed === undefined) return { product, send: false, reason: 'not-granted' };
    return { product, send: true, contract, allowed, narrowed: fields === undefined ? undefined : [...fields] };
  });
}

/** The data the requester would receive of one planned product: the exchange's own minimisation. */
export function wouldReceive(
  data: Record<string, unknown>,
  item: { allowed: readonly string[]; narrowed: readonly string[] | undefined },
): Record<string, unknown> {
  return minimise(data, item.allowed, item.narrowed);
}
