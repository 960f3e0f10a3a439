import type { Socket } from 'node:net';
import type { Context } from '@opentelemetry/api';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { currentContext, inContext } from '../telemetry/spans';
import type { PreparedStatement } from './sql';

/** A statement and its parameters, waiting for the next round trip. */
export interface Waiting {
  statement: PreparedStatement;
  values: unknown[];
  at: Context;
  resolve: (rows: QueryResultRow[]) => void;
  reject: (error: unknown) => void;
}

/** What goes on the wire: one statement, answering one or several waiting reads. */
export interface Sent {
  name: string;
  text: string;
  values: unknown[];
  at: Context;
  answer: (rows: QueryResultRow[]) => void;
  fail: (error: unknown) => void;
}

/** How many statements one round trip carries at most. */
const MAX_STATEMENTS = 32;

/** A pooled client in pipeline mode, and the socket under it. */
export type PipelinedClient = PoolClient & { pipeline: boolean; connection: { stream: Socket } };

/**
 * Short reads issued in the same turn of the event loop, sent together: one
 * connection, one write on its socket, each statement with its own Sync (pg's
 * pipeline mode), so each answers or fails on its own. Under load the hot
 * path's lookups of concurrent requests share a round trip; alone, a
 * statement waits one turn. The reads of one statement that has a `together`
 * form go as that one statement, their parameters in arrays. Each statement
 * keeps its caller's trace context (the first caller's, for one sent together).
 */
export class Pipeline {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly pool: Pool) {}

  query<R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ statement, values, at: currentContext(), resolve: resolve as Waiting['resolve'], reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const statements = merged(this.waiting);
    this.waiting = [];
    while (statements.length > 0) void this.send(statements.splice(0, MAX_STATEMENTS));
  }

  private async send(statements: Sent[]): Promise<void> {
    let client: PipelinedClient;
    try {
      client = (await this.pool.connect()) as PipelinedClient;
    } catch (error) {
      for (const statement of statements) statement.fail(error);
      return;
    }
    // A connection that dies while checked out emits 'error' besides failing its statements.
    let broken = false;
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    client.pipeline = true;
    const socket = client.connection.stream;
    const sent = (s: Sent): Promise<void> => {
      try {
        return inContext(s.at, () =>
          client.query<QueryResultRow>({ name: s.name, text: s.text, values: s.values }),
        ).then(
          (result) => s.answer(result.rows),
          (error: unknown) => s.fail(error),
        );
      } catch (error) {
        s.fail(error);
        return Promise.resolve();
      }
    };
    // Written out together when the socket is uncorked: one write for the whole round trip.
    socket.cork();
    const answers = statements.map(sent);
    socket.uncork();
    await Promise.all(answers);
    // Every statement has answered: the connection leaves pipeline mode, as the pool's others are.
    client.pipeline = false;
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * The statements that answer `waiting`: the reads of a statement with a
 * `together` form, when there are several, as one statement over arrays of
 * their parameters (in the order they were issued), each answered with the
 * rows that name it; every other read as itself.
 */
export function merged(waiting: readonly Waiting[]): Sent[] {
  const byName = new Map<string, Waiting[]>();
  for (const read of waiting) {
    const same = byName.get(read.statement.name);
    if (same === undefined) byName.set(read.statement.name, [read]);
    else same.push(read);
  }
  const sent: Sent[] = [];
  for (const reads of byName.values()) {
    const together = reads[0].statement.together;
    if (together === undefined || reads.length === 1) {
      for (const r of reads) {
        const { name, text } = r.statement;
        sent.push({ name, text, values: r.values, at: r.at, answer: r.resolve, fail: r.reject });
      }
      continue;
    }
    sent.push({
      name: together.name,
      text: together.text,
      values: reads[0].values.map((_, k) => reads.map((r) => r.values[k])),
      at: reads[0].at,
      answer: (rows) => {
        const answers = reads.map((): QueryResultRow[] => []);
        for (const { i, ...row } of rows as { i: number }[]) answers[i - 1]?.push(row);
        reads.forEach((r, index) => r.resolve(answers[index]));
      },
      fail: (error) => {
        for (const r of reads) r.reject(error);
      },
    });
  }
  return sent;
}
