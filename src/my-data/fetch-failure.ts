import type { ErrorCode } from '../platform/errors/error-codes';

/**
 * What a citizen is told when their data could not be fetched from its
 * source: the source holds no record of them, or it cannot answer now.
 * Anything else (the audit log, the database, a bug) is not the source's
 * doing: undefined, and the page fails as a whole.
 */
export type FetchFailure = 'no-record' | 'unavailable';

const UNAVAILABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'source-unavailable',
  'source-timeout',
  'source-error',
  // An answer that breaks the contract is the source's fault; the citizen can only try again later.
  'source-contract-violation',
]);

export function fetchFailureOf(code: ErrorCode): FetchFailure | undefined {
  if (code === 'source-record-not-found') return 'no-record';
  return UNAVAILABLE.has(code) ? 'unavailable' : undefined;
}
