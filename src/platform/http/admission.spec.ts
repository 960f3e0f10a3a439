import { Admission, takeToken } from './admission';

describe('takeToken', () => {
  it('spends the burst, then refuses with the wait until the next token', () => {
    let bucket = takeToken(undefined, 0, 2, 3).bucket;
    bucket = takeToken(bucket, 0, 2, 3).bucket;
    const third = takeToken(bucket, 0, 2, 3);
    expect(third.allowed).toBe(true);
    const fourth = takeToken(third.bucket, 0, 2, 3);
    expect(fourth).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the rate, never past the burst', () => {
    const empty = { tokens: 0, at: 0 };
    expect(takeToken(empty, 499, 2, 3).allowed).toBe(false);
    expect(takeToken(empty, 500, 2, 3).allowed).toBe(true);
    expect(takeToken(empty, 60_000, 2, 3).bucket.tokens).toBe(2);
  });

  it('says how long to wait when the rate is slow', () => {
    expect(takeToken({ tokens: 0, at: 0 }, 0, 0.25, 1).retryAfterSeconds).toBe(4);
  });
});

describe('Admission', () => {
  it('sheds past the cap and takes a released slot back once', () => {
    const admission = new Admission({ maxInFlight: 2, ratePerSecond: 1, burst: 1 });
    const first = admission.enter();
    const second = admission.enter();
    expect(admission.enter()).toBeUndefined();
    first?.();
    first?.();
    expect(admission.enter()).toBeDefined();
    expect(admission.enter()).toBeUndefined();
    second?.();
  });

  it('keeps one bucket per organisation', () => {
    const admission = new Admission({ maxInFlight: 10, ratePerSecond: 1, burst: 1 });
    expect(admission.charge('afe', 0)).toBe(0);
    expect(admission.charge('afe', 0)).toBe(1);
    expect(admission.charge('mess', 0)).toBe(0);
  });
});
