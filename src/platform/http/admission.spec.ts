import { Admission, InFlightCap, rateShare, takeToken } from './admission';

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

describe('InFlightCap', () => {
  it('sheds past the cap and takes a released slot back once', () => {
    const cap = new InFlightCap(2);
    const first = cap.enter();
    const second = cap.enter();
    expect(cap.enter()).toBeUndefined();
    first?.();
    first?.();
    expect(cap.enter()).toBeDefined();
    expect(cap.enter()).toBeUndefined();
    second?.();
  });
});

describe('Admission', () => {
  it('keeps a cap for each listener', () => {
    const admission = new Admission({
      maxInFlight: 1,
      publicMaxInFlight: 2,
      publicAnonymousMaxInFlight: 2,
      ratePerSecond: 1,
      burst: 1,
    });
    expect(admission.agency.enter()).toBeDefined();
    expect(admission.agency.enter()).toBeUndefined();
    expect(admission.public.enter()).toBeDefined();
    expect(admission.public.enter()).toBeDefined();
    expect(admission.public.enter()).toBeUndefined();
  });

  it('keeps one bucket per organisation', () => {
    const admission = new Admission({
      maxInFlight: 10,
      publicMaxInFlight: 10,
      publicAnonymousMaxInFlight: 10,
      ratePerSecond: 1,
      burst: 1,
    });
    expect(admission.charge('afe', 0)).toBe(0);
    expect(admission.charge('afe', 0)).toBe(1);
    expect(admission.charge('mess', 0)).toBe(0);
  });

  it('holds anonymous requests to their share, and keeps the rest of the public cap for credentials', () => {
    const admission = new Admission({
      maxInFlight: 1,
      publicMaxInFlight: 3,
      publicAnonymousMaxInFlight: 2,
      ratePerSecond: 1,
      burst: 1,
    });
    const anonymous = [admission.enterPublic(false), admission.enterPublic(false)];
    expect(anonymous.every((release) => release !== undefined)).toBe(true);
    expect(admission.enterPublic(false)).toBeUndefined();
    const credentialed = admission.enterPublic(true);
    expect(credentialed).toBeDefined();
    // The whole cap is taken now: credentials are shed too.
    expect(admission.enterPublic(true)).toBeUndefined();
    anonymous[0]?.();
    anonymous[0]?.();
    expect(admission.enterPublic(true)).toBeDefined();
    // The cap is full (two with credentials, one without): no room, share or not.
    expect(admission.enterPublic(false)).toBeUndefined();
    credentialed?.();
    expect(admission.enterPublic(false)).toBeDefined();
    expect(admission.enterPublic(false)).toBeUndefined();
  });
});

describe("rateShare: each node takes an equal part of an organisation's limit", () => {
  it('divides the rate and the burst by the live nodes', () => {
    expect(rateShare({ ratePerSecond: 100, burst: 40 }, 4)).toEqual({ ratePerSecond: 25, burst: 10 });
    expect(rateShare({ ratePerSecond: 100, burst: 40 }, 1)).toEqual({ ratePerSecond: 100, burst: 40 });
  });

  it('keeps a burst of one request, or an organisation would never be served', () => {
    expect(rateShare({ ratePerSecond: 10, burst: 2 }, 5)).toEqual({ ratePerSecond: 2, burst: 1 });
  });

  it.each([0, -3, Number.NaN, Number.POSITIVE_INFINITY])('counts at least this node (%p)', (nodes) => {
    expect(rateShare({ ratePerSecond: 10, burst: 20 }, nodes)).toEqual({ ratePerSecond: 10, burst: 20 });
  });

  /** Every node hammered by the organisation for `seconds`, a request every millisecond: what they admit together. */
  function admittedTogether(nodes: number, seconds: number, spread: (node: number, ms: number) => boolean): number {
    const limits = {
      maxInFlight: 1,
      publicMaxInFlight: 1,
      publicAnonymousMaxInFlight: 1,
      ratePerSecond: 50,
      burst: 20,
    };
    const admissions = Array.from({ length: nodes }, () => new Admission(limits));
    for (const admission of admissions) admission.setLiveNodes(nodes);
    let admitted = 0;
    for (let ms = 0; ms < seconds * 1000; ms++) {
      admissions.forEach((admission, node) => {
        if (spread(node, ms) && admission.charge('afe', ms) === 0) admitted++;
      });
    }
    return admitted;
  }

  it('holds the whole cluster to rate × time + burst when the load is spread evenly', () => {
    const admitted = admittedTogether(3, 10, () => true);
    expect(admitted).toBeLessThanOrEqual(50 * 10 + 20);
    expect(admitted).toBeGreaterThanOrEqual(50 * 10 + 20 - 3);
  });

  it('admits less, never more, when the load balancer sends the organisation to one node only', () => {
    const admitted = admittedTogether(3, 10, (node) => node === 0);
    expect(admitted).toBeLessThanOrEqual((50 * 10 + 20) / 3 + 1);
  });

  it('caps the tokens a node holds at its new share when the cluster grows', () => {
    const admission = new Admission({
      maxInFlight: 1,
      publicMaxInFlight: 1,
      publicAnonymousMaxInFlight: 1,
      ratePerSecond: 1,
      burst: 10,
    });
    expect(admission.charge('afe', 0)).toBe(0);
    admission.setLiveNodes(5);
    expect(admission.rateShare).toEqual({ ratePerSecond: 0.2, burst: 2 });
    // Nine tokens were left of the old burst; two remain of the new one.
    expect(admission.charge('afe', 0)).toBe(0);
    expect(admission.charge('afe', 0)).toBe(0);
    expect(admission.charge('afe', 0)).toBe(5);
  });
});
