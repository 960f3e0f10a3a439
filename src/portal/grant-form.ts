import type { ConsentMode } from '../consent/consent';
import type { TermsInput } from '../consent/consent-terms';
import type { Catalogue } from '../contracts/catalogue';

/** An organisation and a purpose a citizen may consent to, and what each product would give. */
export interface GrantChoice {
  requester: string;
  purpose: string;
  products: { product: string; fields: readonly string[] }[];
}

/** The form's names: one per box, so the plain url-encoded parser keeps them all. */
export const WHO_FIELD = 'who';
export const MODE_FIELD = 'mode';
export const KEEP_FIELD = 'keepUpToDate';
export const YES = 'yes';
export const productBox = (product: string): string => `p.${product}`;
export const fieldBox = (product: string, field: string): string => `f.${product}.${field}`;

/** The value of a `who` choice: `requester:purpose`. */
export const whoOf = (choice: Pick<GrantChoice, 'requester' | 'purpose'>): string =>
  `${choice.requester}:${choice.purpose}`;

/**
 * What a citizen may grant from the portal: every organisation and purpose that
 * rests on consent and that some contract grants, with the newest contracts'
 * fields. Statute purposes ask for no consent and are left out. Pure.
 */
export function grantChoices(catalogue: Catalogue): GrantChoice[] {
  const choices = new Map<string, GrantChoice>();
  const newest = new Map<string, ReturnType<Catalogue['latest']>>();
  for (const contract of catalogue.contracts) newest.set(contract.product, catalogue.latest(contract.product));
  for (const contract of newest.values()) {
    if (contract === undefined) continue;
    for (const [requester, purposes] of Object.entries(contract.access)) {
      for (const [purpose, fields] of Object.entries(purposes)) {
        if (catalogue.purposes.get(purpose)?.basis !== 'consent' || fields.length === 0) continue;
        const key = whoOf({ requester, purpose });
        const choice = choices.get(key) ?? { requester, purpose, products: [] };
        choice.products.push({ product: contract.product, fields });
        choices.set(key, choice);
      }
    }
  }
  return [...choices.values()]
    .map((choice) => ({ ...choice, products: choice.products.sort((a, b) => a.product.localeCompare(b.product)) }))
    .sort((a, b) => a.requester.localeCompare(b.requester) || a.purpose.localeCompare(b.purpose));
}

export type GrantError = 'who' | 'products' | 'fields' | 'mode';

export type GrantForm =
  | { ok: true; choice: GrantChoice; terms: TermsInput }
  | { ok: false; choice?: GrantChoice; errors: { field: string; error: GrantError }[] };

/**
 * The terms of the portal's grant form, checked against the choices offered:
 * ticked products and, within each, ticked fields (all of them means the
 * consent is not narrowed), one-time or ongoing, and keep up to date for an
 * ongoing one only. Pure.
 */
export function grantTermsOf(form: Readonly<Record<string, string>>, choices: readonly GrantChoice[]): GrantForm {
  const choice = choices.find((c) => whoOf(c) === form[WHO_FIELD]);
  if (choice === undefined) return { ok: false, errors: [{ field: WHO_FIELD, error: 'who' }] };
  const errors: { field: string; error: GrantError }[] = [];
  const products: TermsInput['products'] = [];
  for (const { product, fields } of choice.products) {
    if (form[productBox(product)] !== YES) continue;
    const ticked = fields.filter((field) => form[fieldBox(product, field)] === YES);
    if (ticked.length === 0) {
      errors.push({ field: fieldBox(product, fields[0]), error: 'fields' });
      continue;
    }
    products.push(ticked.length === fields.length ? { product } : { product, fields: ticked });
  }
  if (products.length === 0 && errors.length === 0) {
    errors.push({ field: productBox(choice.products[0].product), error: 'products' });
  }
  const mode = form[MODE_FIELD];
  if (mode !== 'one-time' && mode !== 'ongoing') errors.push({ field: `${MODE_FIELD}-one-time`, error: 'mode' });
  if (errors.length > 0) return { ok: false, choice, errors };
  return {
    ok: true,
    choice,
    terms: {
      requester: choice.requester,
      purpose: choice.purpose,
      products,
      mode: mode as ConsentMode,
      keepUpToDate: mode === 'ongoing' && form[KEEP_FIELD] === YES,
    },
  };
}

/** The form fields that carry `terms` again, hidden, from the summary to the confirmation. */
export function termsAsForm(terms: TermsInput, choice: GrantChoice): Record<string, string> {
  const form: Record<string, string> = { [WHO_FIELD]: whoOf(choice), [MODE_FIELD]: terms.mode ?? 'ongoing' };
  if (terms.keepUpToDate === true) form[KEEP_FIELD] = YES;
  for (const item of terms.products) {
    const product = typeof item === 'string' ? item : item.product;
    const offered = choice.products.find((p) => p.product === product)?.fields ?? [];
    const fields = typeof item === 'string' || item.fields === undefined ? offered : item.fields;
    form[productBox(product)] = YES;
    for (const field of fields) form[fieldBox(product, field)] = YES;
  }
  return form;
}
