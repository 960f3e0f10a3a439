import {
  checkTerms,
  compileShape,
  statutePurposeProblem,
  termsRefusal,
  TERMS_PROPERTIES,
  type FieldProblem,
  type TermsContext,
} from './consent-terms';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const DAY = 86_400_000;

const context: TermsContext = {
  now: NOW,
  purposeBasis: (purpose) =>
    ({ 'afe.calcul-aide': 'consent', 'mess.aide-sociale': 'consent', 'mess.controle-admissibilite': 'statute' })[
      purpose
    ] as 'consent' | 'statute' | undefined,
  maxConsentDays: (purpose) => ({ 'afe.calcul-aide': 365, 'mess.aide-sociale': 180 })[purpose],
  allowedFields: (product, requester, purpose) =>
    product === 'revenu.avis-cotisation' && requester === 'afe' && purpose === 'afe.calcul-aide'
      ? ['taxYear', 'netIncome', 'lines']
      : undefined,
  productAccess: (product, requester) => {
    if (product === 'saaq.adresse') return 'not-granted';
    if (product !== 'revenu.avis-cotisation') return 'unknown';
    return requester === 'afe' ? 'granted' : 'not-granted';
  },
};

const BASE = { requester: 'afe', purpose: 'afe.calcul-aide', products: ['revenu.avis-cotisation'] };
const pointers = (result: unknown): string[] => (result as FieldProblem[]).map((p) => p.pointer);

describe('checkTerms', () => {
  it('fills the defaults: from now, for the purpose’s longest duration, ongoing, keeping nobody up to date', () => {
    expect(checkTerms(BASE, context)).toEqual({
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: [{ product: 'revenu.avis-cotisation' }],
      validFrom: NOW,
      validUntil: new Date(NOW.getTime() + 365 * DAY),
      mode: 'ongoing',
      keepUpToDate: false,
    });
  });

  it('keeps the requester up to date only for an ongoing consent', () => {
    expect(checkTerms({ ...BASE, keepUpToDate: true }, context)).toMatchObject({ keepUpToDate: true });
    expect(pointers(checkTerms({ ...BASE, keepUpToDate: true, mode: 'one-time' }, context))).toEqual(['/keepUpToDate']);
  });

  it('keeps a narrowing to allowed fields, and the mode asked for', () => {
    const terms = checkTerms(
      { ...BASE, mode: 'one-time', products: [{ product: 'revenu.avis-cotisation', fields: ['netIncome'] }] },
      context,
    );
    expect(terms).toMatchObject({
      mode: 'one-time',
      products: [{ product: 'revenu.avis-cotisation', fields: ['netIncome'] }],
    });
  });

  it('accepts validUntil exactly at the cap, and refuses one millisecond more', () => {
    const cap = new Date(NOW.getTime() + 365 * DAY).toISOString();
    expect(Array.isArray(checkTerms({ ...BASE, validUntil: cap }, context))).toBe(false);
    const over = new Date(NOW.getTime() + 365 * DAY + 1).toISOString();
    expect(pointers(checkTerms({ ...BASE, validUntil: over }, context))).toEqual(['/validUntil']);
  });

  it('measures the cap from a later start', () => {
    const validFrom = new Date(NOW.getTime() + 10 * DAY).toISOString();
    const validUntil = new Date(NOW.getTime() + 370 * DAY).toISOString();
    expect(Array.isArray(checkTerms({ ...BASE, validFrom, validUntil }, context))).toBe(false);
  });

  it.each([
    ['an unknown purpose', { ...BASE, purpose: 'x.y' }, ['/purpose']],
    ['a product not allowed', { ...BASE, products: ['saaq.adresse'] }, ['/products/0']],
    ['a requester not allowed', { ...BASE, requester: 'mess' }, ['/products/0']],
    [
      'a duplicate product',
      { ...BASE, products: ['revenu.avis-cotisation', 'revenu.avis-cotisation'] },
      ['/products/1'],
    ],
    [
      'fields outside the contract',
      { ...BASE, products: [{ product: 'revenu.avis-cotisation', fields: ['netIncome', 'balance'] }] },
      ['/products/0/fields/1'],
    ],
    [
      'a field twice',
      { ...BASE, products: [{ product: 'revenu.avis-cotisation', fields: ['netIncome', 'netIncome'] }] },
      ['/products/0/fields'],
    ],
    ['an end before the start', { ...BASE, validUntil: new Date(NOW.getTime() - 1).toISOString() }, ['/validUntil']],
    ['an end equal to now', { ...BASE, validUntil: NOW.toISOString() }, ['/validUntil']],
    ['a start long past', { ...BASE, validFrom: new Date(NOW.getTime() - DAY).toISOString() }, ['/validFrom']],
    // The schema refuses these first; checkTerms must not turn them into a NaN instant either.
    ['an end on a leap second', { ...BASE, validUntil: '2026-12-31T23:59:60Z' }, ['/validUntil']],
    ['a start on 30 February', { ...BASE, validFrom: '2027-02-30T00:00:00Z' }, ['/validFrom']],
  ])('refuses %s', (_what, input, expected) => {
    expect(pointers(checkTerms(input, context))).toEqual(expected);
  });

  it('reports every problem at once', () => {
    const result = checkTerms(
      { ...BASE, products: ['saaq.adresse', 'revenu.avis-cotisation'], validFrom: new Date(0).toISOString() },
      context,
    );
    expect(pointers(result)).toEqual(['/products/0', '/validFrom', '/validUntil']);
  });
});

describe('the terms schema', () => {
  const parse = compileShape<unknown>({
    type: 'object',
    additionalProperties: false,
    required: ['requester', 'purpose', 'products'],
    properties: TERMS_PROPERTIES,
  });

  it.each(['2026-12-31T23:59:60Z', '2026-12-31T18:59:60-05:00', '2026-02-30T00:00:00Z', '2026-12-31T00:00:00+05'])(
    'refuses a validUntil of %s, which no Date can hold',
    (validUntil) => {
      expect(pointers(parse({ ...BASE, validUntil }))).toEqual(['/validUntil']);
    },
  );

  it('accepts an ordinary validUntil', () => {
    expect(Array.isArray(parse({ ...BASE, validUntil: '2026-12-31T23:59:59Z' }))).toBe(false);
  });
});

describe('termsRefusal', () => {
  it.each([
    ['an unknown purpose, before anything else', { ...BASE, purpose: 'x.y', products: ['x.z'] }, 'unknown-purpose'],
    ['a product that does not exist', { ...BASE, products: ['revenu.avis-cotisation', 'x.z'] }, 'unknown-product'],
    ['a product the requester may not have', { ...BASE, products: ['saaq.adresse'] }, 'product-not-granted'],
    ['a requester with no access to the product', { ...BASE, requester: 'mess' }, 'product-not-granted'],
    ['a product granted for other purposes only', { ...BASE, purpose: 'mess.aide-sociale' }, 'purpose-not-granted'],
    [
      'fields outside the contract',
      { ...BASE, products: [{ product: 'revenu.avis-cotisation', fields: ['netIncome', 'balance'] }] },
      'field-not-granted',
    ],
    ['anything else, such as a start long past', { ...BASE, validFrom: new Date(0).toISOString() }, 'invalid-terms'],
  ])('names %s', (_what, input, reason) => {
    // Each row is a refusal: the reason explains terms that checkTerms did not accept.
    expect(Array.isArray(checkTerms(input, context))).toBe(true);
    expect(termsRefusal(input, context)).toBe(reason);
  });
});

describe('statutePurposeProblem', () => {
  it('names the purpose when it rests on a statute, and nothing for a consent purpose or an unknown one', () => {
    expect(statutePurposeProblem({ purpose: 'mess.controle-admissibilite' }, context)).toEqual([
      { pointer: '/purpose', message: expect.stringContaining('statute') },
    ]);
    expect(statutePurposeProblem({ purpose: 'afe.calcul-aide' }, context)).toEqual([]);
    expect(statutePurposeProblem({ purpose: 'afe.inconnue' }, context)).toEqual([]);
  });

  it('is the refusal the audit keeps for an agency that asks a citizen to consent to one', () => {
    expect(termsRefusal({ ...BASE, purpose: 'mess.controle-admissibilite' }, context)).toBe('statute-purpose');
  });
});
