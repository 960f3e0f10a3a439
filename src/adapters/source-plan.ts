import canonicalize from 'canonicalize';
import type { ProductContract } from '../contracts/catalogue';

export const productKey = (contract: Pick<ProductContract, 'product' | 'version'>): string =>
  `${contract.product}@${contract.version}`;

/**
 * What an adapter is built from: its kind, its endpoint (name and address),
 * its deadline and its settings. The mapping is not in it: it is read from the
 * contract on every fetch, so a new mapping needs no new adapter.
 */
export function sourceFingerprint(contract: ProductContract, endpointUrl: string | undefined): string {
  const { adapter, endpoint, deadlineMs, settings } = contract.source;
  const identity = { adapter, endpoint, endpointUrl: endpointUrl ?? null, deadlineMs: deadlineMs ?? null, settings };
  return canonicalize(identity) ?? '';
}

export interface SourcePlan {
  /** Products whose source is built as it stands: kept, breaker state and pooled connections with it. */
  keep: string[];
  /** Products new to the catalogue, or whose source changed: a new adapter each. */
  build: ProductContract[];
  /** Products no longer catalogued: their adapters are closed. */
  drop: string[];
  /** Endpoint names that a contract names and SOURCE_ENDPOINTS does not: the catalogue cannot be served. */
  missingEndpoints: string[];
}

/**
 * How the adapters in force (product key → fingerprint) become those of
 * `next`. Pure: the product-source service builds and closes what it says.
 */
export function planSources(
  current: ReadonlyMap<string, string>,
  next: readonly ProductContract[],
  endpoints: Readonly<Record<string, string>>,
): SourcePlan {
  const keep: string[] = [];
  const build: ProductContract[] = [];
  const missing = new Set<string>();
  const seen = new Set<string>();
  for (const contract of next) {
    const key = productKey(contract);
    seen.add(key);
    const url = Object.hasOwn(endpoints, contract.source.endpoint) ? endpoints[contract.source.endpoint] : undefined;
    if (url === undefined) {
      missing.add(contract.source.endpoint);
      continue;
    }
    if (current.get(key) === sourceFingerprint(contract, url)) keep.push(key);
    else build.push(contract);
  }
  const drop = [...current.keys()].filter((key) => !seen.has(key));
  return { keep, build, drop, missingEndpoints: [...missing].sort() };
}
