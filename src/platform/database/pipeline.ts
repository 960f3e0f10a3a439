import type { Socket } from 'node:net';
import type { Context } from '@opentelemetry/api';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { currentContext, inContext } from '../telemetry/spans';

/** A statement and its parameters, waiting for the next round trip. */
interface Waiting {
  name: string;
  text: string;
  values: unknown[];
  at: Context;
  resolve: (rows: QueryResultRow[]) => void;
  reject: (error: unknown) => void;
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
 * statement waits one turn. Each statement keeps its caller's trace context.
 */
export class Pipeline {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly pool: Pool) {}

  query<R extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ name, text, values, at: currentContext(), resolve: resolve as Waiting['resolve'], reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.waiting.length > 0) void this.send(this.waiting.splice(0, MAX_STATEMENTS));
  }

  private async send(statements: Waiting[]): Promise<void> {
    let client: PipelinedClient;
    try {
      client = (await this.pool.connect()) as PipelinedClient;
    } catch (error) {
      for (const statement of statements) statement.reject(error);
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
    const sent = (s: Waiting): Promise<void> => {
      try {
        return inContext(s.at, () =>
          client.query<QueryResultRow>({ name: s.name, text: s.text, values: s.values }),
        ).then(
          (result) => s.resolve(result.rows),
          (error: unknown) => s.reject(error),
        );
      } catch (error) {
        s.reject(error);
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
