import { editDistance, nearestProduct, productNotFound } from './product-not-found';

const AFE = ['etat-civil.naissance', 'revenu.avis-cotisation'];
const MESS = ['revenu.avis-cotisation', 'saaq.adresse'];

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['saaq.adresse', 'saaq.adresse', 0],
    ['saaq.adress', 'saaq.adresse', 1],
    ['saaq.adrese', 'saaq.adresse', 1],
    ['saaq.adersse', 'saaq.adresse', 1],
    ['saaq.address', 'saaq.adresse', 2],
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b, 5)).toBe(distance);
  });

  it('stops counting past its limit', () => {
    expect(editDistance('revenu.avis-cotisation', 'saaq.adresse', 2)).toBe(3);
  });
});

describe('nearestProduct', () => {
  it.each<[string, readonly string[], string | undefined]>([
    ['saaq.adress', MESS, 'saaq.adresse'],
    ['saaq.address', MESS, 'saaq.adresse'],
    ['SAAQ.adresse', MESS, 'saaq.adresse'],
    ['adresse', MESS, 'saaq.adresse'],
    ['revenu.avis-cotisatoin', MESS, 'revenu.avis-cotisation'],
    // Only the caller's own catalogue is searched: `saaq.adresse` exists, but afe may not see it.
    ['saaq.adress', AFE, undefined],
    ['ramq.dossier-medical', MESS, undefined],
    // The product itself, at a version the caller lacks: nothing nearer to offer.
    ['saaq.adresse', MESS, undefined],
    ['a.b', ['a.c', 'a.d'], 'a.c'],
  ])('%s in %p suggests %p', (sent, visible, expected) => {
    expect(nearestProduct(sent, visible)).toBe(expected);
  });
});

describe('productNotFound', () => {
  it('names the product and version sent, and a near product of the caller’s catalogue', () => {
    const error = productNotFound({ product: 'saaq.adress', version: 1 }, MESS);
    expect(error.code).toBe('product-not-found');
    expect(error.detail).toBeUndefined();
    expect(error.options.explanation).toEqual({
      id: 'product-not-in-catalogue',
      product: 'saaq.adress',
      version: 1,
      suggestion: 'saaq.adresse',
    });
  });

  it('answers a product that exists for others exactly like one that exists nowhere', () => {
    const granted = productNotFound({ product: 'saaq.adresse', version: 1 }, AFE).options.explanation;
    const missing = productNotFound({ product: 'saaq.absente', version: 1 }, AFE).options.explanation;
    expect({ ...granted, product: 'x' }).toEqual({ ...missing, product: 'x' });
  });

  it('never repeats a name no product could have', () => {
    for (const product of ['<script>', 'saaq.adresse\n', 'a'.repeat(101), 'Saaq.Adresse']) {
      expect(productNotFound({ product }, MESS).options.explanation).not.toHaveProperty('product');
    }
  });
});
