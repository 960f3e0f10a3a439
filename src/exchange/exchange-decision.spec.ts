import { DomainError } from '../platform/errors/domain-error';
import {
  decideContract,
  decideExchange,
  exchangeOutcome,
  minimise,
  type ConsentFacts,
  type ContractFacts,
  type ExchangeFacts,
} from './exchange-decision';

const NOW = new Date('2026-11-23T12:00:00Z');
const CONSENT: ConsentFacts = {
  id: 'c1',
  citizen: 'demo-citizen-1',
  requester: 'afe',
  purpose: 'afe.calcul-aide',
  products: ['revenu.avis-cotisation'],
  validFrom: new Date('2026-01-01T00:00:00Z'),
  validUntil: new Date('2027-01-01T00:00:00Z'),
  status: 'active',
};
const FACTS: ExchangeFacts = {
  citizen: 'demo-citizen-1',
  requester: 'afe',
  purpose: 'afe.calcul-aide',
  product: 'revenu.avis-cotisation',
  now: NOW,
  consents: [CONSENT],
};

describe('decideExchange', () => {
  it('allows when an active consent of the citizen covers the request now', () => {
    expect(decideExchange(FACTS)).toEqual({ allow: true, consentId: 'c1' });
  });

  it('allows at validFrom exactly, and refuses at validUntil exactly', () => {
    expect(decideExchange({ ...FACTS, now: CONSENT.validFrom }).allow).toBe(true);
    expect(decideExchange({ ...FACTS, now: CONSENT.validUntil })).toEqual({ allow: false, reason: 'expired' });
  });

  it.each<[string, Partial<ExchangeFacts> | ConsentFacts, string]>([
    ['no consent at all', { consents: [] }, 'no-consent'],
    ['another purpose', { ...CONSENT, purpose: 'afe.autre' }, 'other-purpose'],
    ['another organisation', { ...CONSENT, requester: 'mess' }, 'other-organisation'],
    ['another product', { ...CONSENT, products: ['etat-civil.naissance'] }, 'other-product'],
    ['not yet valid', { ...CONSENT, validFrom: new Date('2026-12-01T00:00:00Z') }, 'not-yet-valid'],
    ['expired by time', { ...CONSENT, validUntil: new Date('2026-11-01T00:00:00Z') }, 'expired'],
    ['expired by record', { ...CONSENT, status: 'expired' }, 'expired'],
    ['revoked', { ...CONSENT, status: 'revoked' }, 'revoked'],
    ['refused', { ...CONSENT, status: 'refused' }, 'refused'],
    ['another citizen’s consent only', { ...CONSENT, citizen: 'demo-citizen-2' }, 'no-consent'],
  ])('refuses %s', (_what, change, reason) => {
    const facts = 'id' in change ? { ...FACTS, consents: [change] } : { ...FACTS, ...change };
    expect(decideExchange(facts)).toEqual({ allow: false, reason });
  });

  it('refuses a named consent of another citizen as other-citizen', () => {
    const theirs = { ...CONSENT, id: 'c9', citizen: 'demo-citizen-2' };
    expect(decideExchange({ ...FACTS, consentId: 'c9', consents: [theirs] })).toEqual({
      allow: false,
      reason: 'other-citizen',
    });
  });

  it('allows a named consent that covers the request, and refuses a named one that does not exist', () => {
    expect(decideExchange({ ...FACTS, consentId: 'c1' })).toEqual({ allow: true, consentId: 'c1' });
    expect(decideExchange({ ...FACTS, consentId: 'nope' })).toEqual({ allow: false, reason: 'no-consent' });
  });

  it('takes a consent in force over a revoked one for the same terms', () => {
    const revoked = { ...CONSENT, id: 'c0', status: 'revoked' as const };
    expect(decideExchange({ ...FACTS, consents: [revoked, CONSENT] })).toEqual({ allow: true, consentId: 'c1' });
  });

  it('names the nearest miss: another purpose of the same organisation before another organisation', () => {
    const consents = [
      { ...CONSENT, id: 'a', requester: 'mess' },
      { ...CONSENT, id: 'b', purpose: 'afe.autre' },
    ];
    expect(decideExchange({ ...FACTS, consents })).toEqual({ allow: false, reason: 'other-purpose' });
  });
});

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
