import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { QueryResultRow } from 'pg';
import { merged, type Waiting } from './pipeline';
import type { PreparedStatement } from './sql';

const LOOKUP: PreparedStatement = {
  name: 'lookup',
  text: 'SELECT v FROM t WHERE k = $1 AND at = $2',
  pipelined: true,
  together: { name: 'lookup-together', text: 'SELECT q.i, v FROM unnest($1::text[], $2::text[]) ...' },
};
const ALONE: PreparedStatement = { name: 'alone', text: 'SELECT 1 WHERE $1', pipelined: true };

/** A read of `statement` with `values`, and what it was answered. */
function read(statement: PreparedStatement, values: unknown[]) {
  const outcome: { rows?: QueryResultRow[]; error?: unknown } = {};
  const waiting: Waiting = {
    statement,
    values,
    at: ROOT_CONTEXT,
    resolve: (rows) => (outcome.rows = rows),
    reject: (error) => (outcome.error = error),
  };
  return { waiting, outcome };
}

describe('merged: the statements that answer the reads of one turn', () => {
  it('sends the reads of a statement with a together form as one statement, its parameters in arrays', () => {
    const reads = [read(LOOKUP, ['a', 1]), read(ALONE, [true]), read(LOOKUP, ['b', 2]), read(LOOKUP, ['c', 3])];
    const sent = merged(reads.map((r) => r.waiting));
    expect(sent.map((s) => [s.name, s.values])).toEqual([
      [
        'lookup-together',
        [
          ['a', 'b', 'c'],
          [1, 2, 3],
        ],
      ],
      ['alone', [true]],
    ]);
  });

  it('answers each read with the rows that name it by place, none when none does', () => {
    const reads = [read(LOOKUP, ['a', 1]), read(LOOKUP, ['b', 2]), read(LOOKUP, ['c', 3])];
    const [together] = merged(reads.map((r) => r.waiting));
    together.answer([
      { i: 3, v: 'c1' },
      { i: 1, v: 'a1' },
      { i: 3, v: 'c2' },
    ]);
    expect(reads.map((r) => r.outcome.rows)).toEqual([[{ v: 'a1' }], [], [{ v: 'c1' }, { v: 'c2' }]]);
  });

  it('fails every read of a statement sent together with its error', () => {
    const reads = [read(LOOKUP, ['a', 1]), read(LOOKUP, ['b', 2])];
    const [together] = merged(reads.map((r) => r.waiting));
    const error = new Error('connection lost');
    together.fail(error);
    expect(reads.map((r) => r.outcome.error)).toEqual([error, error]);
  });

  it('sends a read alone as itself, and a statement without a together form once per read', () => {
    const reads = [read(LOOKUP, ['a', 1]), read(ALONE, [true]), read(ALONE, [false])];
    const sent = merged(reads.map((r) => r.waiting));
    expect(sent.map((s) => [s.name, s.text, s.values])).toEqual([
      ['lookup', LOOKUP.text, ['a', 1]],
      ['alone', ALONE.text, [true]],
      ['alone', ALONE.text, [false]],
    ]);
    sent[0].answer([{ v: 'a1' }]);
    expect(reads[0].outcome.rows).toEqual([{ v: 'a1' }]);
  });
});
