import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  type CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  IsolatedCircuitError,
  type CircuitBreakerPolicy,
  type IDisposable,
} from 'cockatiel';
import type { LegacyRecord } from '../contracts/mapping';
import { type FetchContext, type SourceAdapter, SourceError } from './source-adapter';
import type { Context } from '@opentelemetry/api';

export interface ResilienceOptions {
  /** The whole fetch, retry included, ends by then. */
  deadlineMs: number;
  /** Consecutive failures that open the breaker. */
  breakerFailures: number;
  /** How long the breaker stays open before one half-open probe. */
  halfOpenAfterMs: number;
}

/** The breaker is open: the source was not called. */
export class SourceOpenCircuitError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('circuit open');
    this.name = 'SourceOpenCircuitError';
  }
}

/**
 * The circuit breaker of one source endpoint. Products served by the same
 * endpoint share it: when the system is down, it is down for all of them.
 */
export function sourceBreaker(
  options: Pick<ResilienceOptions, 'breakerFailures' | 'halfOpenAfterMs'>,
): CircuitBreakerPolicy {
  return circuitBreaker(
    handleWhen((error) => error instanceof SourceError),
    { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakerFailures) },
  );
}

/** Backoff before the one retry: jittered so that many callers do not retry in step. */
const BACKOFF_MIN_MS = 25;
const BACKOFF_SPREAD_MS = 75;
/** A retry that could not finish before the deadline is not worth starting. */
const MIN_ATTEMPT_MS = 50;

/**
 * One legacy source behind a deadline, one retry on connection errors (reads
 * are idempotent), and a circuit breaker (cockatiel) that fails fast while the
 * source is down and lets one probe through after `halfOpenAfterMs`.
 */
export class ResilientSource {
  readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;
  /** The breaker outlives this source when shared: its listener goes when the source closes. */
  private readonly breakListener: IDisposable;

  constructor(
    readonly endpoint: string,
    private readonly adapter: SourceAdapter,
    private readonly options: ResilienceOptions,
    breaker?: CircuitBreakerPolicy,
  ) {
    this.breaker = breaker ?? sourceBreaker(options);
    this.breakListener = this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
  }

  /** The longest a fetch of this source lasts, retries included. */
  get deadlineMs(): number {
    return this.options.deadlineMs;
  }

  get state(): CircuitState {
    return this.breaker.state;
  }

  async fetch(
    localId: string,
    correlationId: string,
    options: { deadlineMs?: number; signal?: AbortSignal; traced?: Context } = {},
  ): Promise<LegacyRecord | null> {
    const deadlineMs = options.deadlineMs ?? this.options.deadlineMs;
    const deadline = Date.now() + deadlineMs;
    // A timer cleared when the fetch ends: AbortSignal.timeout's would fire for every fetch, long after it ended.
    const expiry = new AbortController();
    const timer = setTimeout(() => expiry.abort(new DOMException('deadline exceeded', 'TimeoutError')), deadlineMs);
    timer.unref();
    const signal = options.signal === undefined ? expiry.signal : AbortSignal.any([expiry.signal, options.signal]);
    try {
      return await this.attempts(localId, { signal, deadline, correlationId, traced: options.traced });
    } finally {
      clearTimeout(timer);
    }
  }

  /** A first attempt, and one retry after a backoff if the failure allows it and the deadline leaves time. */
  private async attempts(localId: string, context: FetchContext): Promise<LegacyRecord | null> {
    const { signal, deadline } = context;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.breaker.execute(() => this.adapter.fetch(localId, context));
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          throw new SourceOpenCircuitError(this.retryAfterSeconds());
        }
        if (!(error instanceof SourceError)) throw error;
        const backoff = BACKOFF_MIN_MS + Math.random() * BACKOFF_SPREAD_MS;
        const retry = attempt === 0 && error.retryable && deadline - Date.now() > backoff + MIN_ATTEMPT_MS;
        if (!retry) throw error;
        await sleep(backoff, undefined, { signal }).catch(() => {
          throw new SourceError('timeout', 'deadline exceeded during backoff');
        });
      }
    }
  }

  private retryAfterSeconds(): number {
    const remaining = this.openedAt + this.options.halfOpenAfterMs - Date.now();
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  async close(): Promise<void> {
    this.breakListener.dispose();
    await this.adapter.close();
  }
}
