import { effectiveStatus, successorOf, type ConsentRecord } from './consent';
import { isInForce } from './in-force';

const at = (iso: string): Date => new Date(iso);
const RECORD: ConsentRecord = {
  id: 'c1',
  citizen: 'demo-citizen-1',
  requester: 'afe',
  purpose: 'afe.calcul-aide',
  products: [{ product: 'revenu.avis-cotisation' }],
  validFrom: at('2026-01-01T00:00:00Z'),
  validUntil: at('2026-07-01T00:00:00Z'),
  mode: 'ongoing',
  keepUpToDate: false,
  status: 'active',
  createdAt: at('2026-01-01T00:00:00Z'),
  decidedAt: at('2026-01-01T00:00:00Z'),
  revokedAt: null,
  revokedBy: null,
  predecessorId: null,
  requestId: null,
};

describe('effectiveStatus and isInForce', () => {
  it('is expired from validUntil on, exactly', () => {
    expect(effectiveStatus(RECORD, at('2026-06-30T23:59:59.999Z'))).toBe('active');
    expect(effectiveStatus(RECORD, RECORD.validUntil)).toBe('expired');
    expect(isInForce(RECORD, at('2026-06-30T23:59:59.999Z'))).toBe(true);
    expect(isInForce(RECORD, RECORD.validUntil)).toBe(false);
  });

  it('is not in force before validFrom', () => {
    expect(isInForce(RECORD, at('2025-12-31T23:59:59.999Z'))).toBe(false);
    expect(isInForce(RECORD, RECORD.validFrom)).toBe(true);
  });

  it.each(['revoked', 'refused', 'expired', 'pending'] as const)('never puts a %s record in force', (status) => {
    expect(isInForce({ ...RECORD, status }, at('2026-03-01T00:00:00Z'))).toBe(false);
    expect(effectiveStatus({ ...RECORD, status }, at('2026-03-01T00:00:00Z'))).toBe(status);
  });
});

describe('successorOf', () => {
  it('keeps the terms, points at the predecessor and records who revoked and when', () => {
    const when = at('2026-03-01T10:00:00Z');
    expect(successorOf(RECORD, { id: 'c2', status: 'revoked', at: when, by: 'demo-citizen-1' })).toEqual({
      ...RECORD,
      id: 'c2',
      status: 'revoked',
      createdAt: when,
      revokedAt: when,
      revokedBy: 'demo-citizen-1',
      predecessorId: 'c1',
    });
  });

  it('leaves revokedAt empty on expiry', () => {
    const next = successorOf(RECORD, { id: 'c3', status: 'expired', at: RECORD.validUntil, by: null });
    expect(next).toMatchObject({ status: 'expired', revokedAt: null, revokedBy: null, predecessorId: 'c1' });
  });
});
