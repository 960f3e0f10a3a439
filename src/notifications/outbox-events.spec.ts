import { isOutboxEventType, OUTBOX_EVENT_TYPES } from './outbox-events';

describe('outbox event types', () => {
  it('lists every event the outbox carries', () => {
    expect(OUTBOX_EVENT_TYPES).toEqual([
      'consent.granted',
      'consent.revoked',
      'consent.expired',
      'consent-request.created',
      'consent-request.approved',
      'consent-request.rejected',
      'product.changed',
    ]);
  });

  it('recognises each of them', () => {
    expect(OUTBOX_EVENT_TYPES.filter((type) => !isOutboxEventType(type))).toEqual([]);
  });

  it('refuses any other string, including what objects inherit', () => {
    expect(['consent.updated', 'consent', '', 'toString', '__proto__'].filter(isOutboxEventType)).toEqual([]);
  });
});
