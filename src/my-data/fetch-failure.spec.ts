import type { ErrorCode } from '../platform/errors/error-codes';
import { fetchFailureOf } from './fetch-failure';

describe('fetchFailureOf: what a citizen is told of a fetch that failed', () => {
  it('says there is no record when the source has none for the citizen', () => {
    expect(fetchFailureOf('source-record-not-found')).toBe('no-record');
  });

  it.each<ErrorCode>(['source-unavailable', 'source-timeout', 'source-error', 'source-contract-violation'])(
    'says %s is a source temporarily unavailable',
    (code) => {
      expect(fetchFailureOf(code)).toBe('unavailable');
    },
  );

  it.each<ErrorCode>(['audit-unavailable', 'database-unavailable', 'internal-error', 'product-not-found'])(
    'leaves %s to fail the page: it is not the source’s doing',
    (code) => {
      expect(fetchFailureOf(code)).toBeUndefined();
    },
  );
});
