import { DomainError } from '../platform/errors/domain-error';
import { accessEntryOf, eventOf, parseFilter, type AccessTitles } from './audit-office.service';
import type { AccessRow } from './audit-query.repository';

const pseudonymOf = (pivot: string): string => `pseudonym-of-${pivot}`;

describe('parseFilter', () => {
  it.each(['consent', 'statute'] as const)('takes basis=%s', (basis) => {
    expect(parseFilter({ basis }, pseudonymOf)).toMatchObject({ basis });
  });

  it('leaves the basis out when it is absent or empty', () => {
    expect(parseFilter({}, pseudonymOf).basis).toBeUndefined();
    expect(parseFilter({ basis: '' }, pseudonymOf).basis).toBeUndefined();
  });

  it.each(['law', 'Statute', 'consent,statute', ' statute'])(
    'refuses basis=%p with 400 naming query:basis',
    (basis) => {
      let thrown: unknown;
      try {
        parseFilter({ basis, org: 'mess' }, pseudonymOf);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect((thrown as DomainError).code).toBe('invalid-request');
      expect((thrown as DomainError).options.extensions).toEqual({
        errors: [{ pointer: 'query:basis', message: 'is invalid' }],
      });
    },
  );

  it('combines the basis with the other filters', () => {
    expect(parseFilter({ basis: 'statute', org: 'mess', citizen: 'demo-citizen-1' }, pseudonymOf)).toMatchObject({
      basis: 'statute',
      organisation: 'mess',
      citizenPseudonym: 'pseudonym-of-demo-citizen-1',
    });
  });
});

describe('eventOf', () => {
  const payload = { seq: 7, recordedAt: '2026-03-01T12:00:00.000Z', kind: 'exchange.outcome' };

  it('says when the citizen sees a delayed record: its time plus the delay', () => {
    const event = eventOf({
      seq: '7',
      payload: { ...payload, details: { basis: 'statute', disclosureDelayDays: 90 } },
    });
    expect(event).toMatchObject({ seq: 7, disclosedFrom: '2026-05-30T12:00:00.000Z' });
  });

  it('adds nothing to a record without a delay', () => {
    expect(eventOf({ seq: '7', payload: { ...payload, details: { basis: 'statute' } } })).not.toHaveProperty(
      'disclosedFrom',
    );
    expect(eventOf({ seq: '7', payload })).toEqual(payload);
  });
});

describe('accessEntryOf', () => {
  const titles: AccessTitles = {
    product: (code) => (code === 'revenu.avis-cotisation' ? { fr: 'Avis de cotisation', en: 'Notice' } : undefined),
    purpose: () => undefined,
  };
  const row: AccessRow = {
    seq: '42',
    kind: 'exchange.outcome',
    recordedAt: new Date('2026-03-01T12:00:00Z'),
    organisation: 'mess',
    organisationName: 'Ministère',
    product: 'revenu.avis-cotisation',
    purpose: 'mess.controle-admissibilite',
    decision: 'allow',
    basis: 'statute',
    legalReference: 'RLRQ c. A-13.1.1, art. 65',
    caseRef: 'MESS-1',
    changeId: null,
    reason: null,
    fields: ['annee', 'revenuTotal', 'bogus', 3],
  };

  it('reads an exchange as an exchange, with its basis, reference and case, and no change', () => {
    expect(accessEntryOf(row, titles)).toEqual({
      seq: 42,
      kind: 'exchange',
      when: '2026-03-01T12:00:00.000Z',
      organisation: 'mess',
      organisationName: 'Ministère',
      product: 'revenu.avis-cotisation',
      productTitle: { fr: 'Avis de cotisation', en: 'Notice' },
      purpose: 'mess.controle-admissibilite',
      purposeTitle: null,
      decision: 'allow',
      basis: 'statute',
      legalReference: 'RLRQ c. A-13.1.1, art. 65',
      caseRef: 'MESS-1',
      changeId: null,
      reason: null,
      fields: ['annee', 'revenuTotal', 'bogus'],
    });
  });

  it('reads a refusal with its reason and no fields, and a released exchange without a reason', () => {
    const refused = accessEntryOf({ ...row, decision: 'deny', reason: 'revoked', fields: null }, titles);
    expect(refused).toMatchObject({ decision: 'deny', reason: 'revoked', fields: [] });
    expect(accessEntryOf({ ...row, reason: 'ignored' }, titles).reason).toBeNull();
  });

  it('reads a change notice as one, naming the change and no basis, reference or case', () => {
    const notice = accessEntryOf(
      { ...row, kind: 'change.notified', basis: null, legalReference: null, caseRef: null, changeId: 'c-1' },
      titles,
    );
    expect(notice).toMatchObject({
      kind: 'change-notice',
      organisation: 'mess',
      product: 'revenu.avis-cotisation',
      decision: 'allow',
      basis: null,
      legalReference: null,
      caseRef: null,
      changeId: 'c-1',
    });
  });

  it('keeps a consent exchange’s reference out, and drops a basis it does not know', () => {
    expect(accessEntryOf({ ...row, basis: 'consent' }, titles)).toMatchObject({
      basis: 'consent',
      legalReference: null,
    });
    expect(accessEntryOf({ ...row, basis: 'custom' }, titles)).toMatchObject({ basis: null, legalReference: null });
  });
});
