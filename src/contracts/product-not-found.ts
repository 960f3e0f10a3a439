import { DomainError } from '../platform/errors/domain-error';

/** A name a product could have (the contracts' own pattern): only such a name is repeated back to the caller. */
const PRODUCT_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;
const MAX_NAME = 100;

/**
 * The optimal string alignment distance (Levenshtein plus swapped neighbours),
 * given up as soon as it exceeds `limit`: names are short and the catalogue
 * small, and only near misses matter.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2] + 1);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length];
}

/**
 * The product of `visible` the caller most likely meant, if one is close:
 * two edits at most (one for names under eight characters), or the same
 * name without its owner's prefix (`adresse` for `saaq.adresse`). Ties go
 * to the first name in order, so the answer never depends on load order.
 */
export function nearestProduct(sent: string, visible: readonly string[]): string | undefined {
  const wanted = sent.toLowerCase().slice(0, MAX_NAME + 2);
  const names = [...new Set(visible)].filter((name) => name !== sent).sort();
  const bySuffix = names.filter((name) => name.endsWith(`.${wanted}`));
  if (bySuffix.length === 1) return bySuffix[0];
  let nearest: string | undefined;
  let nearestDistance = Infinity;
  for (const name of names) {
    const limit = name.length < 8 ? 1 : 2;
    const distance = editDistance(wanted, name, limit);
    if (distance <= limit && distance < nearestDistance) {
      nearest = name;
      nearestDistance = distance;
    }
  }
  return nearest;
}

/**
 * The 404 for a product the caller may not ask for, whatever the reason (it
 * does not exist, not at that version, or not for this organisation). The
 * detail names only what the caller sent and, at most, a product from the
 * caller's own catalogue, which GET /v1/catalogue already lists for it: the
 * answer is the same whether or not the product exists for someone else.
 * `visible` must be exactly the products that organisation's catalogue shows.
 */
export function productNotFound(
  sent: { product: string; version?: number | 'unreadable' },
  visible: readonly string[],
): DomainError<'product-not-found'> {
  const { product, version } = sent;
  const named = product.length <= MAX_NAME && PRODUCT_NAME.test(product);
  const suggestion = nearestProduct(product, visible);
  return new DomainError('product-not-found', undefined, {
    explanation: {
      id: 'product-not-in-catalogue',
      ...(named ? { product } : {}),
      ...(version === undefined ? {} : { version }),
      ...(suggestion === undefined ? {} : { suggestion }),
    },
  });
}
