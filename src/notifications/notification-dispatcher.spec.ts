import { goesByWebhook, retryDelayMs } from './notification-dispatcher';

describe('retryDelayMs', () => {
  it('doubles from the base, with the jitter at its middle', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000, 0.5))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('stays within ±20 %', () => {
    expect(retryDelayMs(3, 1000, 0)).toBe(3200);
    expect(retryDelayMs(3, 1000, 1)).toBe(4800);
  });

  it('never waits more than an hour and a fifth', () => {
    expect(retryDelayMs(40, 1000, 1)).toBe(4_320_000);
  });
});

describe('goesByWebhook', () => {
  it('sends agencies every consent change and every answer to a request', () => {
    expect(
      [
        'consent.granted',
        'consent.revoked',
        'consent.expired',
        'consent-request.approved',
        'consent-request.rejected',
      ].map(goesByWebhook),
    ).toEqual([true, true, true, true, true]);
  });

  it('sends subscribers the notice of a change', () => {
    expect(goesByWebhook('product.changed')).toBe(true);
  });

  it('does not send the agency its own request', () => {
    expect(goesByWebhook('consent-request.created')).toBe(false);
  });

  it('sends no type the outbox does not know', () => {
    expect(goesByWebhook('consent.updated')).toBe(false);
  });
});
