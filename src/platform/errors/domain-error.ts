import type { ErrorCode } from './error-codes';
import type { ProblemMessage } from './problem-messages';

/**
 * The base of every error a bounded context throws on purpose. Services throw
 * these, never HTTP exceptions; the problem filter turns them into responses.
 * `detail` reaches the caller, so it must never carry citizen data, SQL or an
 * upstream body.
 */
export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    readonly detail?: string,
    readonly options: {
      retryAfterSeconds?: number;
      extensions?: Record<string, unknown>;
      /** A detail written in the caller's language when the answer is sent; it replaces `detail`. */
      explanation?: ProblemMessage;
      /** A refusal an operator should see (malformed encoding is a probe more often than a bug): warn, not debug. */
      logAs?: 'warn';
    } = {},
  ) {
    super(detail ?? code);
    this.name = new.target.name;
  }
}
