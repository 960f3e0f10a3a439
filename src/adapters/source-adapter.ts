import type { Context } from '@opentelemetry/api';
import type { LegacyRecord } from '../contracts/mapping';

/**
 * The one interface every legacy source sits behind. An adapter speaks its
 * source's protocol and returns the record in its legacy shape, as a plain
 * object; the contract's mapping then turns that into the product's shape.
 */
export type AdapterKind = 'soap' | 'fixed-width' | 'rest' | 'sql';

export interface FetchContext {
  /** Aborts when the deadline passes; adapters pass it to every I/O call. */
  signal: AbortSignal;
  /** Epoch milliseconds by which the whole fetch, retries included, must end. */
  deadline: number;
  /** Sent to the source where its protocol has a place for it. */
  correlationId: string;
  /** The fetch step's trace context: HTTP sources send it on (traceparent) and name their answer on its span. */
  traced?: Context;
}

export interface SourceAdapter {
  readonly kind: AdapterKind;
  /**
   * Fetches the record of one citizen by the source's local id. Resolves to
   * null when the source has no record for that id. Every failure rejects
   * with a SourceError; nothing from the source's answer goes into its message.
   */
  fetch(localId: string, context: FetchContext): Promise<LegacyRecord | null>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

/**
 * - `unavailable`: the source could not be reached, or reset the connection
 *   (retryable when `connection` is true: nothing was processed upstream);
 * - `timeout`: the deadline passed;
 * - `bad-response`: an answer came but is unusable (5xx, SOAP Fault other
 *   than not-found, garbage, too large, too deep, a redirect).
 */
export type SourceFailure = 'unavailable' | 'timeout' | 'bad-response';

export class SourceError extends Error {
  constructor(
    readonly failure: SourceFailure,
    /** For logs only: a short internal reason, never the upstream body. */
    readonly reason: string,
    readonly options: { connection?: boolean; cause?: unknown } = {},
  ) {
    super(`${failure}: ${reason}`, { cause: options.cause });
    this.name = 'SourceError';
  }

  /** A connection-level failure before the source answered: safe to retry an idempotent read. */
  get retryable(): boolean {
    return this.options.connection === true;
  }
}

/** Limits every adapter enforces on what a source sends back. */
export interface SourceLimits {
  maxResponseBytes: number;
  maxJsonDepth: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceLimits = { maxResponseBytes: 1024 * 1024, maxJsonDepth: 32 };

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * Turns whatever an I/O call threw into a SourceError: aborts become
 * `timeout`, socket-level errors `unavailable` (retryable), anything else
 * `bad-response`.
 */
export function toSourceError(error: unknown, signal: AbortSignal): SourceError {
  if (error instanceof SourceError) return error;
  if (signal.aborted) return new SourceError('timeout', 'deadline exceeded', { cause: error });
  const code = findCode(error);
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return new SourceError('unavailable', code, { connection: true, cause: error });
  }
  return new SourceError('bad-response', code ?? 'unexpected error', { cause: error });
}

function findCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = cause;
  }
  return undefined;
}
