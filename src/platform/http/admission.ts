/** A token bucket: `tokens` left at `at` (ms). */
export interface Bucket {
  tokens: number;
  at: number;
}

export interface BucketDecision {
  allowed: boolean;
  bucket: Bucket;
  /** When refused: whole seconds until a token is there. */
  retryAfterSeconds: number;
}

/** Takes one token from a bucket refilled at `ratePerSecond` up to `burst`. Pure. */
export function takeToken(
  bucket: Bucket | undefined,
  now: number,
  ratePerSecond: number,
  burst: number,
): BucketDecision {
  const previous = bucket ?? { tokens: burst, at: now };
  const tokens = Math.min(burst, previous.tokens + ((now - previous.at) / 1000) * ratePerSecond);
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, at: now }, retryAfterSeconds: 0 };
  return {
    allowed: false,
    bucket: { tokens, at: now },
    retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / ratePerSecond)),
  };
}

export interface AdmissionLimits {
  /** Agency requests served at once; past it, 503 with Retry-After rather than a queue without bound. */
  maxInFlight: number;
  /** Public-listener requests served at once (probes and scrapes aside); past it, 503 likewise. */
  publicMaxInFlight: number;
  /**
   * The share of publicMaxInFlight that requests without credentials may hold
   * at once, so that signed-in citizens and officers always keep the rest.
   */
  publicAnonymousMaxInFlight: number;
  /** Each organisation's sustained rate, and the burst it may spend at once. */
  ratePerSecond: number;
  burst: number;
}

/** A cap on requests in flight: load shedding. */
export class InFlightCap {
  private inFlight = 0;

  constructor(private readonly max: number) {}

  /** A slot for one request, or undefined when all are taken. The caller releases it once. */
  enter(): (() => void) | undefined {
    if (this.inFlight >= this.max) return undefined;
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
    };
  }
}

/**
 * Admission: a cap on the requests in flight on each listener (load
 * shedding), a smaller share of the public cap for anonymous requests (no one
 * can fill the public listener without signing in), and a token bucket per
 * organisation on the agency listener (one organisation's flood does not
 * starve another). In memory, per gateway node.
 */
export class Admission {
  readonly agency: InFlightCap;
  readonly public: InFlightCap;
  readonly anonymous: InFlightCap;
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limits: AdmissionLimits) {
    this.agency = new InFlightCap(limits.maxInFlight);
    this.public = new InFlightCap(limits.publicMaxInFlight);
    this.anonymous = new InFlightCap(limits.publicAnonymousMaxInFlight);
  }

  /**
   * A public-listener slot. An anonymous request needs one of its share as
   * well as one of the whole cap, so anonymous requests together never hold
   * more than their share, whatever they send.
   */
  enterPublic(credentialed: boolean): (() => void) | undefined {
    if (credentialed) return this.public.enter();
    const share = this.anonymous.enter();
    if (share === undefined) return undefined;
    const slot = this.public.enter();
    if (slot === undefined) {
      share();
      return undefined;
    }
    return () => {
      slot();
      share();
    };
  }

  /** One request of `organisation` now: 0 when allowed, else the seconds to wait. */
  charge(organisation: string, now = Date.now()): number {
    const decision = takeToken(this.buckets.get(organisation), now, this.limits.ratePerSecond, this.limits.burst);
    this.buckets.set(organisation, decision.bucket);
    return decision.allowed ? 0 : decision.retryAfterSeconds;
  }
}
