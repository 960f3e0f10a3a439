import { CannotConnect, CheckFailed, EXIT, exitCodeOf, SchemaNotCurrent } from './exit-codes';
import { UsageError } from './usage';

describe('exitCodeOf: one table for every command', () => {
  const neverConnection = (): boolean => false;
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

  it.each([
    ['a usage error', new UsageError('missing --sector'), EXIT.usage],
    ['a check that failed', new CheckFailed('audit log BROKEN at seq 7'), EXIT.failed],
    ['an unreachable database', new CannotConnect('cannot connect to the database'), EXIT.unreachable],
    ['a schema older than the code', new SchemaNotCurrent('run db migrate'), EXIT.unreachable],
    ['anything else', new Error('unexpected'), EXIT.failed],
    ['a thrown non-error', 'text', EXIT.failed],
  ])('%s exits %s', (_what, error, code) => {
    expect(exitCodeOf(error, neverConnection)).toBe(code);
  });

  it('takes a connection failure that no command caught as "cannot connect", not as a failed check', () => {
    expect(exitCodeOf(refused, (error) => error === refused)).toBe(EXIT.unreachable);
    expect(exitCodeOf(refused, neverConnection)).toBe(EXIT.failed);
  });

  it('lets a usage error win over anything a connection check would say', () => {
    expect(exitCodeOf(new UsageError('bad'), () => true)).toBe(EXIT.usage);
  });
});
