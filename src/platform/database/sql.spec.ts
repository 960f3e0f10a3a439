import { isConnectionError } from './connection-errors';

describe('isConnectionError', () => {
  it.each([
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    new Error('connect ECONNREFUSED 127.0.0.1:5432'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    Object.assign(new Error('connection failure'), { code: '08006' }),
  ])('treats "%s" as the database being unreachable', (error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }),
    Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    'ECONNREFUSED',
  ])('does not hide query errors behind a 503: %s', (error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
