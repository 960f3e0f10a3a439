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

/** What one node may admit of an organisation's limit. */
export interface RateShare {
  ratePerSecond: number;
  burst: number;
}

/**
 * One node's share of each organisation's rate and burst, among `liveNodes`
 * nodes: an equal part of both. The nodes never talk per request (no round
 * trip on the hot path), so the sum of the shares is the limit only when the
 * organisation's traffic is spread evenly: a load balancer that sends it to
 * fewer nodes makes the effective limit lower, never higher. The burst is at
 * least one request, or an organisation could never be served at all; with
 * AGENCY_RATE_LIMIT_BURST below the node count the total burst is the node
 * count. Pure.
 */
export function rateShare(limits: RateShare, liveNodes: number): RateShare {
  const nodes = Number.isFinite(liveNodes) ? Math.max(1, Math.floor(liveNodes)) : 1;
  return { ratePerSecond: limits.ratePerSecond / nodes, burst: Math.max(1, limits.burst / nodes) };
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
 * starve another). In memory, per gateway node: the organisation's limit
 * holds across nodes because each node takes its share of it (rateShare) from
 * the count of live nodes, which the node registry keeps current.
 */
export class Admission {
  readonly agency: InFlightCap;
  readonly public: InFlightCap;
  readonly anonymous: InFlightCap;
  private readonly buckets = new Map<string, Bucket>();
  private share: RateShare;

  constructor(private readonly limits: AdmissionLimits) {
    this.agency = new InFlightCap(limits.maxInFlight);
    this.public = new InFlightCap(limits.publicMaxInFlight);
    this.anonymous = new InFlightCap(limits.publicAnonymousMaxInFlight);
    this.share = rateShare(limits, 1);
  }

  /**
   * The cluster changed size. Buckets keep their tokens; a smaller burst caps
   * them at the next request (takeToken), so a node never holds more than
   * its new share.
   */
  setLiveNodes(liveNodes: number): void {
    this.share = rateShare(this.limits, liveNodes);
  }

  /** This node's share of each organisation's limit. */
  get rateShare(): RateShare {
    return this.share;
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
    const { ratePerSecond, burst } = this.share;
    const decision = takeToken(this.buckets.get(organisation), now, ratePerSecond, burst);
    this.buckets.set(organisation, decision.bucket);
    return decision.allowed ? 0 : decision.retryAfterSeconds;
  }
}
