import { Catalogue, type ProductContract, type Purpose } from '../contracts/catalogue';
import { fieldBox, grantChoices, grantTermsOf, productBox, termsAsForm, whoOf } from './grant-form';

const purpose = (code: string, basis: 'consent' | 'statute'): Purpose =>
  ({ code, title: { fr: code, en: code }, basis, legalReference: 'RLRQ', maxConsentDays: 365 }) as Purpose;
const contract = (product: string, version: number, access: ProductContract['access']): ProductContract =>
  ({ product, version, title: { fr: product, en: product }, owner: 'rq', fields: {}, access }) as ProductContract;

const CATALOGUE = new Catalogue(
  [purpose('afe.calcul-aide', 'consent'), purpose('mess.controle', 'statute')],
  [
    contract('revenu.avis-cotisation', 1, { afe: { 'afe.calcul-aide': ['old'] } }),
    contract('revenu.avis-cotisation', 2, {
      afe: { 'afe.calcul-aide': ['annee', 'revenuTotal'] },
      mess: { 'mess.controle': ['annee'] },
    }),
    contract('saaq.adresse', 1, { afe: { 'afe.calcul-aide': ['adresse'] } }),
  ],
);

describe('grantChoices', () => {
  it('offers each organisation and consent purpose once, with the newest contracts’ fields, and no statute purpose', () => {
    expect(grantChoices(CATALOGUE)).toEqual([
      {
        requester: 'afe',
        purpose: 'afe.calcul-aide',
        products: [
          { product: 'revenu.avis-cotisation', fields: ['annee', 'revenuTotal'] },
          { product: 'saaq.adresse', fields: ['adresse'] },
        ],
      },
    ]);
  });
});

describe('grantTermsOf', () => {
  const choices = grantChoices(CATALOGUE);
  const who = whoOf({ requester: 'afe', purpose: 'afe.calcul-aide' });
  const all = {
    who,
    [productBox('revenu.avis-cotisation')]: 'yes',
    [fieldBox('revenu.avis-cotisation', 'annee')]: 'yes',
    [fieldBox('revenu.avis-cotisation', 'revenuTotal')]: 'yes',
    mode: 'ongoing',
    keepUpToDate: 'yes',
  };

  it('reads every field ticked as the product unnarrowed, and keeps up to date an ongoing consent', () => {
    const parsed = grantTermsOf(all, choices);
    expect(parsed).toMatchObject({
      ok: true,
      terms: {
        requester: 'afe',
        purpose: 'afe.calcul-aide',
        products: [{ product: 'revenu.avis-cotisation' }],
        mode: 'ongoing',
        keepUpToDate: true,
      },
    });
  });

  it('narrows to the fields ticked, and never keeps a one-time consent up to date', () => {
    const form = { ...all, [fieldBox('revenu.avis-cotisation', 'revenuTotal')]: '', mode: 'one-time' };
    expect(grantTermsOf(form, choices)).toMatchObject({
      ok: true,
      terms: {
        products: [{ product: 'revenu.avis-cotisation', fields: ['annee'] }],
        mode: 'one-time',
        keepUpToDate: false,
      },
    });
  });

  it('ignores a field the choice does not offer', () => {
    const form = { ...all, [fieldBox('revenu.avis-cotisation', 'nas')]: 'yes' };
    const parsed = grantTermsOf(form, choices);
    expect(parsed.ok && parsed.terms.products).toEqual([{ product: 'revenu.avis-cotisation' }]);
  });

  it('names each problem: no choice, no product, a product without fields, no duration', () => {
    expect(grantTermsOf({ ...all, who: 'mess:mess.controle' }, choices)).toEqual({
      ok: false,
      errors: [{ field: 'who', error: 'who' }],
    });
    expect(grantTermsOf({ who, mode: 'ongoing' }, choices)).toMatchObject({
      ok: false,
      errors: [{ field: productBox('revenu.avis-cotisation'), error: 'products' }],
    });
    expect(grantTermsOf({ who, [productBox('saaq.adresse')]: 'yes' }, choices)).toMatchObject({
      ok: false,
      errors: [
        { field: fieldBox('saaq.adresse', 'adresse'), error: 'fields' },
        { field: 'mode-one-time', error: 'mode' },
      ],
    });
  });

  it('carries the terms through the summary’s hidden fields unchanged', () => {
    const narrowed = { ...all, [fieldBox('revenu.avis-cotisation', 'revenuTotal')]: '' };
    const first = grantTermsOf(narrowed, choices);
    if (!first.ok) throw new Error('expected terms');
    const again = grantTermsOf(termsAsForm(first.terms, first.choice), choices);
    expect(again).toEqual(first);
  });
});
