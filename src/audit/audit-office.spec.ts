import { DomainError } from '../platform/errors/domain-error';
import { eventOf, parseFilter } from './audit-office.service';

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
