import { DomainError } from '../platform/errors/domain-error';
import { decideContract, exchangeOutcome, minimise, type ContractFacts } from './exchange-decision';

describe('minimise', () => {
  const DATA = { taxYear: 2025, netIncome: 17900.5, balance: -423.17, lines: [] };

  it('keeps only the fields the contract allows for the purpose', () => {
    expect(minimise(DATA, ['taxYear', 'netIncome'], undefined)).toEqual({ taxYear: 2025, netIncome: 17900.5 });
  });

  it('never releases a field the consent excludes, even one the contract allows', () => {
    const released = minimise(DATA, ['taxYear', 'netIncome', 'balance'], ['netIncome']);
    expect(released).toEqual({ netIncome: 17900.5 });
    expect(released).not.toHaveProperty('balance');
    expect(released).not.toHaveProperty('taxYear');
  });

  it('cannot be widened by a narrowing that names fields the contract does not allow', () => {
    expect(minimise(DATA, ['taxYear'], ['taxYear', 'balance'])).toEqual({ taxYear: 2025 });
  });

  it('omits allowed fields the source did not send, and ignores inherited ones', () => {
    const data = Object.create({ inherited: 1 }) as Record<string, unknown>;
    data.taxYear = 2025;
    expect(minimise(data, ['taxYear', 'inherited', 'netIncome'], undefined)).toEqual({ taxYear: 2025 });
  });
});

describe('decideContract', () => {
  const CONTRACT = { product: 'revenu.avis-cotisation', version: 1 };
  const ALLOWED: ContractFacts<typeof CONTRACT> = {
    productExists: true,
    contract: CONTRACT,
    granted: true,
    purposeExists: true,
    fields: ['taxYear'],
  };

  it('allows a granted product and purpose, with the contract and its fields', () => {
    expect(decideContract(ALLOWED)).toEqual({ allow: true, contract: CONTRACT, fields: ['taxYear'] });
  });

  it.each<[string, Partial<ContractFacts<typeof CONTRACT>>, string, string]>([
    [
      'an unknown product',
      { productExists: false, contract: undefined, granted: false },
      'product-not-found',
      'unknown-product',
    ],
    [
      'an unknown version',
      { contract: undefined, granted: false, fields: undefined },
      'product-not-found',
      'unknown-version',
    ],
    ['a product not granted', { granted: false, fields: undefined }, 'product-not-found', 'product-not-granted'],
    [
      'a product not granted, for an unknown purpose too',
      { granted: false, purposeExists: false, fields: undefined },
      'product-not-found',
      'product-not-granted',
    ],
    ['a purpose not granted', { fields: undefined }, 'purpose-not-allowed', 'purpose-not-granted'],
    ['an unknown purpose', { purposeExists: false, fields: undefined }, 'purpose-not-allowed', 'unknown-purpose'],
  ])('refuses %s: the caller is told %s, the audit keeps %s', (_what, change, answer, reason) => {
    expect(decideContract({ ...ALLOWED, ...change })).toEqual({ allow: false, answer, reason });
  });
});

describe('exchangeOutcome', () => {
  it('tells a release, a policy refusal and a failure apart', () => {
    expect(exchangeOutcome(undefined)).toBe('allow');
    expect(exchangeOutcome(new DomainError('consent-required'))).toBe('deny');
    expect(exchangeOutcome(new DomainError('purpose-not-allowed'))).toBe('deny');
    expect(exchangeOutcome(new DomainError('product-not-found'))).toBe('deny');
    expect(exchangeOutcome(new DomainError('source-timeout'))).toBe('error');
    expect(exchangeOutcome(new DomainError('audit-unavailable'))).toBe('error');
    expect(exchangeOutcome(new Error('boom'))).toBe('error');
    expect(exchangeOutcome(null)).toBe('error');
  });
});
