import { decideBasis, type BasisFacts, type ConsentFacts } from './lawful-basis';

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
const CONSENT_PURPOSE: BasisFacts['purpose'] = {
  code: 'afe.calcul-aide',
  basis: 'consent',
  legalReference: 'Loi sur l’aide financière aux études, art. 9',
  caseRefRequired: false,
};
const FACTS: BasisFacts = {
  citizen: 'demo-citizen-1',
  requester: 'afe',
  product: 'revenu.avis-cotisation',
  purpose: CONSENT_PURPOSE,
  now: NOW,
  consents: [CONSENT],
};
const STATUTE: BasisFacts['purpose'] = {
  code: 'mess.controle-admissibilite',
  basis: 'statute',
  legalReference: 'Loi sur l’aide aux personnes et aux familles, art. 65',
  caseRefRequired: false,
  effectiveFrom: '2026-01-01T00:00:00Z',
  effectiveUntil: '2027-01-01T00:00:00Z',
};
const BY_STATUTE: BasisFacts = { ...FACTS, requester: 'mess', purpose: STATUTE, consents: [] };

const refused = (reason: string): unknown => ({ allow: false, answer: 'consent-required', reason });

describe('decideBasis: consent', () => {
  it('allows when the lookup found a consent in force, without reading the records', () => {
    expect(decideBasis({ ...FACTS, found: 'c7', consents: [] })).toEqual({
      allow: true,
      basis: 'consent',
      consentId: 'c7',
    });
  });

  it('allows when an active consent of the citizen covers the request now', () => {
    expect(decideBasis(FACTS)).toEqual({ allow: true, basis: 'consent', consentId: 'c1' });
  });

  it('allows at validFrom exactly, and refuses at validUntil exactly', () => {
    expect(decideBasis({ ...FACTS, now: CONSENT.validFrom }).allow).toBe(true);
    expect(decideBasis({ ...FACTS, now: new Date(CONSENT.validFrom.getTime() - 1) })).toEqual(refused('not-yet-valid'));
    expect(decideBasis({ ...FACTS, now: new Date(CONSENT.validUntil.getTime() - 1) }).allow).toBe(true);
    expect(decideBasis({ ...FACTS, now: CONSENT.validUntil })).toEqual(refused('expired'));
  });

  it.each<[string, Partial<BasisFacts> | ConsentFacts, string]>([
    ['no consent at all', { consents: [] }, 'no-consent'],
    ['another purpose', { ...CONSENT, purpose: 'afe.autre' }, 'other-purpose'],
    ['another organisation', { ...CONSENT, requester: 'mess' }, 'other-organisation'],
    ['another product', { ...CONSENT, products: ['etat-civil.naissance'] }, 'other-product'],
    ['not yet valid', { ...CONSENT, validFrom: new Date('2026-12-01T00:00:00Z') }, 'not-yet-valid'],
    ['expired by time', { ...CONSENT, validUntil: new Date('2026-11-01T00:00:00Z') }, 'expired'],
    ['expired by record', { ...CONSENT, status: 'expired' }, 'expired'],
    ['revoked', { ...CONSENT, status: 'revoked' }, 'revoked'],
    ['refused', { ...CONSENT, status: 'refused' }, 'refused'],
    ['pending', { ...CONSENT, status: 'pending' }, 'refused'],
    ['another citizen’s consent only', { ...CONSENT, citizen: 'demo-citizen-2' }, 'no-consent'],
  ])('refuses %s', (_what, change, reason) => {
    const facts = 'id' in change ? { ...FACTS, consents: [change] } : { ...FACTS, ...change };
    expect(decideBasis(facts)).toEqual(refused(reason));
  });

  it('refuses a named consent of another citizen as other-citizen', () => {
    const theirs = { ...CONSENT, id: 'c9', citizen: 'demo-citizen-2' };
    expect(decideBasis({ ...FACTS, consentId: 'c9', consents: [theirs] })).toEqual(refused('other-citizen'));
  });

  it('checks a named consent itself, not what the lookup found', () => {
    expect(decideBasis({ ...FACTS, consentId: 'c1', found: 'c7' })).toEqual({
      allow: true,
      basis: 'consent',
      consentId: 'c1',
    });
    expect(decideBasis({ ...FACTS, consentId: 'nope', found: 'c7' })).toEqual(refused('no-consent'));
    const revoked = { ...CONSENT, status: 'revoked' as const };
    expect(decideBasis({ ...FACTS, consentId: 'c1', found: 'c7', consents: [revoked] })).toEqual(refused('revoked'));
  });

  it('takes a consent in force over a revoked one for the same terms', () => {
    const revoked = { ...CONSENT, id: 'c0', status: 'revoked' as const };
    expect(decideBasis({ ...FACTS, consents: [revoked, CONSENT] })).toEqual({
      allow: true,
      basis: 'consent',
      consentId: 'c1',
    });
  });

  it('names the nearest miss: another purpose of the same organisation before another organisation', () => {
    const consents = [
      { ...CONSENT, id: 'a', requester: 'mess' },
      { ...CONSENT, id: 'b', purpose: 'afe.autre' },
    ];
    expect(decideBasis({ ...FACTS, consents })).toEqual(refused('other-purpose'));
  });

  it('names why the latest covering consent no longer holds', () => {
    const older = { ...CONSENT, id: 'a', status: 'revoked' as const, validUntil: new Date('2026-06-01T00:00:00Z') };
    const later = { ...CONSENT, id: 'b', validUntil: new Date('2026-11-01T00:00:00Z') };
    expect(decideBasis({ ...FACTS, consents: [older, later] })).toEqual(refused('expired'));
  });

  it('asks a consent purpose that requires a case reference for one, before any consent', () => {
    const purpose = { ...CONSENT_PURPOSE, caseRefRequired: true };
    expect(decideBasis({ ...FACTS, purpose, found: 'c1' })).toEqual({
      allow: false,
      answer: 'invalid-request',
      reason: 'case-ref-missing',
    });
    expect(decideBasis({ ...FACTS, purpose, caseRef: 'D-1' }).allow).toBe(true);
  });
});

describe('decideBasis: statute', () => {
  it('allows inside the window, on the statute, with no consent at all', () => {
    expect(decideBasis(BY_STATUTE)).toEqual({ allow: true, basis: 'statute', legalReference: STATUTE.legalReference });
  });

  it('never rests on a consent, even one the lookup found or the agency named', () => {
    const decision = decideBasis({ ...BY_STATUTE, found: 'c1', consentId: 'c1', consents: [CONSENT] });
    expect(decision).toEqual({ allow: true, basis: 'statute', legalReference: STATUTE.legalReference });
  });

  it.each<[string, string, unknown]>([
    ['a millisecond before it comes into force', '2025-12-31T23:59:59.999Z', refused('statute-not-yet-in-force')],
    ['the instant it comes into force', '2026-01-01T00:00:00.000Z', 'allow'],
    ['its last millisecond', '2026-12-31T23:59:59.999Z', 'allow'],
    ['the instant it stops', '2027-01-01T00:00:00.000Z', refused('statute-no-longer-in-force')],
    ['a year after it stopped', '2028-01-01T00:00:00.000Z', refused('statute-no-longer-in-force')],
  ])('at %s', (_when, now, expected) => {
    const decision = decideBasis({ ...BY_STATUTE, now: new Date(now) });
    if (expected === 'allow') expect(decision).toMatchObject({ allow: true, basis: 'statute' });
    else expect(decision).toEqual(expected);
  });

  it('holds at any time when it has no window, and from its start when it has no end', () => {
    const open = { ...STATUTE, effectiveFrom: undefined, effectiveUntil: undefined };
    expect(decideBasis({ ...BY_STATUTE, purpose: open, now: new Date('1990-01-01T00:00:00Z') }).allow).toBe(true);
    const noEnd = { ...STATUTE, effectiveUntil: undefined };
    expect(decideBasis({ ...BY_STATUTE, purpose: noEnd, now: new Date('2090-01-01T00:00:00Z') }).allow).toBe(true);
    expect(decideBasis({ ...BY_STATUTE, purpose: noEnd, now: new Date('2025-01-01T00:00:00Z') })).toEqual(
      refused('statute-not-yet-in-force'),
    );
  });

  it('refuses a request without the case reference the statute requires, as a bad request, even outside the window', () => {
    const purpose = { ...STATUTE, caseRefRequired: true };
    const missing = { allow: false, answer: 'invalid-request', reason: 'case-ref-missing' };
    expect(decideBasis({ ...BY_STATUTE, purpose })).toEqual(missing);
    expect(decideBasis({ ...BY_STATUTE, purpose, caseRef: '' })).toEqual(missing);
    expect(decideBasis({ ...BY_STATUTE, purpose, now: new Date('2030-01-01T00:00:00Z') })).toEqual(missing);
    expect(decideBasis({ ...BY_STATUTE, purpose, caseRef: 'CTRL-2026-0042' }).allow).toBe(true);
  });
});
