import { announcesBody, bodyDeadline } from './slow-body';

describe('bodyDeadline', () => {
  const floor = { graceMs: 5_000, minBytesPerSecond: 500 };

  it('gives every body the grace before the rate counts', () => {
    expect(bodyDeadline(1_000, 0, floor)).toBe(6_000);
  });

  it('buys one more second for each floor-worth of bytes received', () => {
    expect(bodyDeadline(1_000, 500, floor)).toBe(7_000);
    expect(bodyDeadline(1_000, 250, floor)).toBe(6_500);
  });

  it('lets a body that keeps up with the floor run on, and catches one that falls behind', () => {
    // Ten seconds in: 2,500 bytes (the floor's worth of the five seconds past the grace) hold; fewer do not.
    expect(bodyDeadline(0, 2_500, floor)).toBeGreaterThanOrEqual(10_000);
    expect(bodyDeadline(0, 2_499, floor)).toBeLessThan(10_000);
  });
});

describe('announcesBody', () => {
  it('is true for a length other than 0 and for chunked bodies only', () => {
    expect(announcesBody({ 'content-length': '12' })).toBe(true);
    expect(announcesBody({ 'transfer-encoding': 'chunked' })).toBe(true);
    expect(announcesBody({ 'content-length': '0' })).toBe(false);
    expect(announcesBody({})).toBe(false);
  });
});
