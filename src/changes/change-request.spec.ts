import { DomainError } from '../platform/errors/domain-error';
import { MAX_CHANGES, parseChanges } from './change-request';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const ONE = { product: 'saaq.adresse', citizen: 'abc_DEF-123', changedAt: '2026-11-30T11:00:00Z' };

function problemsOf(body: unknown): { pointer: string; message: string }[] {
  try {
    parseChanges(body, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('invalid-request');
    return ((error as DomainError).options.extensions as { errors: { pointer: string; message: string }[] }).errors;
  }
  throw new Error('accepted');
}

describe('parseChanges', () => {
  it('reads one change, and a batch, with their times', () => {
    expect(parseChanges(ONE, NOW)).toEqual({
      batch: false,
      changes: [{ product: 'saaq.adresse', citizen: 'abc_DEF-123', changedAt: new Date('2026-11-30T11:00:00Z') }],
    });
    const batch = parseChanges({ changes: [ONE, { ...ONE, citizen: 'other' }] }, NOW);
    expect(batch.batch).toBe(true);
    expect(batch.changes.map((c) => c.citizen)).toEqual(['abc_DEF-123', 'other']);
  });

  it('takes a change dated up to a minute ahead of the clock, and refuses one further ahead, naming it', () => {
    expect(parseChanges({ ...ONE, changedAt: '2026-11-30T12:01:00Z' }, NOW).changes).toHaveLength(1);
    expect(problemsOf({ ...ONE, changedAt: '2026-11-30T12:01:00.001Z' })).toEqual([
      { pointer: '/changedAt', message: 'must not be in the future' },
    ]);
    expect(problemsOf({ changes: [ONE, { ...ONE, changedAt: '2027-01-01T00:00:00Z' }] })).toEqual([
      { pointer: '/changes/1/changedAt', message: 'must not be in the future' },
    ]);
  });

  it('refuses a time that is not RFC 3339', () => {
    expect(problemsOf({ ...ONE, changedAt: '30/11/2026' })).toEqual([
      { pointer: '/changedAt', message: 'is not an RFC 3339 date-time' },
    ]);
  });

  it('refuses unknown members, a missing citizen, an empty batch and one over the limit', () => {
    expect(problemsOf({ ...ONE, data: {} }).length).toBeGreaterThan(0);
    expect(problemsOf({ product: ONE.product, changedAt: ONE.changedAt }).length).toBeGreaterThan(0);
    expect(problemsOf({ changes: [] }).length).toBeGreaterThan(0);
    expect(problemsOf({ changes: Array.from({ length: MAX_CHANGES + 1 }, () => ONE) }).length).toBeGreaterThan(0);
    expect(parseChanges({ changes: Array.from({ length: MAX_CHANGES }, () => ONE) }, NOW).changes).toHaveLength(
      MAX_CHANGES,
    );
  });
});
