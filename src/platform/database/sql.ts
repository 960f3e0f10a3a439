import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { DomainError } from '../errors/domain-error';
import { untraced } from '../telemetry/spans';
import { isConnectionError } from './connection-errors';
import { Pipeline, type PipelinedClient } from './pipeline';

/** A statement prepared once per pooled connection, by name. */
export interface PreparedStatement {
  name: string;
  text: string;
  /** A short read that may share its round trip with the others issued in the same turn (`Pipeline`). */
  pipelined?: boolean;
  /**
   * The same read for several parameter sets in one statement (pipelined ones only): its parameter `$k` is
   * the array of every set's `$k`, and each row it answers names its set by `i`, the set's place from 1. The
   * reads of one turn that have this form go as one statement; a read alone goes as itself.
   */
  together?: { name: string; text: string };
}

/**
 * The hot path's access to PostgreSQL: named prepared statements on the same
 * pool TypeORM manages, with no ORM in between. An unreachable database
 * becomes a 503 `database-unavailable`, so callers fail closed.
 */
export class SqlPool {
  private readonly pipeline: Pipeline;

  constructor(protected readonly pool: Pool) {
    this.pipeline = new Pipeline(pool);
  }

  async query<R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]> {
    try {
      if (statement.pipelined === true) return await this.pipeline.query<R>(statement, values);
      const result = await this.pool.query<R>({ name: statement.name, text: statement.text, values });
      return result.rows;
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  /** A query that is not prepared: for reports that run rarely (the integrity check). */
  async raw<R extends QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  /**
   * Opens the connections the pool keeps however idle (its `min`, DB_POOL_MIN), so that a burst of
   * requests finds them open: a new PostgreSQL session costs tens of milliseconds of a backend's start
   * and authentication, and several started at once, more. One that cannot be opened now is opened when
   * a request needs it, which answers 503 if the database is down.
   */
  async warm(): Promise<void> {
    // Held all at once: the idle connections are handed out first, then new ones are opened.
    const busy = this.pool.totalCount - this.pool.idleCount;
    const held = Math.max(0, (this.pool.options.min ?? 0) - busy);
    const opened = await Promise.allSettled(Array.from({ length: held }, () => this.pool.connect()));
    for (const client of opened) if (client.status === 'fulfilled') client.value.release();
  }

  /**
   * Runs `work` in one transaction on one connection: committed when it
   * resolves, rolled back when it throws. Statements stay prepared by name.
   * `prologue`, fixed statements without parameters (SET LOCAL ...), is sent
   * with BEGIN; BEGIN is sent with the first statement, in the same round trip.
   */
  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>, prologue?: string): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unavailableOr(error);
    }
    let broken = false;
    // A connection that dies while checked out emits 'error' besides failing its query: without a
    // listener that would be an uncaught exception. The failed query already answers the caller.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    const pipelined = client as PipelinedClient;
    try {
      // BEGIN goes out with the transaction's first statement, in one round trip: the connection is in
      // pipeline mode until it goes back to the pool, each statement with its own Sync. The first answer is
      // used only once BEGIN has succeeded. A transaction's bounds are not traced.
      pipelined.pipeline = true;
      // Corked until the end of this tick: the first statement, if \`work\` sends it at once, shares BEGIN's write.
      const socket = pipelined.connection.stream;
      socket.cork();
      process.nextTick(() => socket.uncork());
      let begun: Promise<unknown> | undefined = untraced(() =>
        client.query(prologue === undefined ? 'BEGIN' : `BEGIN; ${prologue}`),
      );
      // Awaited with the first statement; a failure meanwhile is that statement's (or ROLLBACK's) to report.
      begun.catch(() => undefined);
      const afterBegin = async <R>(sent: Promise<R>): Promise<R> => {
        const started = begun ?? Promise.resolve();
        begun = undefined;
        const [, answer] = await Promise.all([started, sent]);
        return answer;
      };
      const result = await work({
        query: async <R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]> =>
          (await afterBegin(client.query<R>({ name: statement.name, text: statement.text, values }))).rows,
        exec: async (text: string): Promise<void> => {
          await afterBegin(client.query(text));
        },
      });
      await afterBegin(Promise.resolve());
      await untraced(() => client.query('COMMIT'));
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw unavailableOr(error);
    } finally {
      // Every statement has answered: the connection leaves pipeline mode, as the pool's others are.
      pipelined.pipeline = false;
      // A connection that could not even roll back is not given back to the pool.
      client.off('error', onError);
      client.release(broken);
    }
  }
}

/** The application's pool, the one TypeORM manages. */
@Injectable()
export class Sql extends SqlPool {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super((dataSource.driver as PostgresDriver).master as Pool);
  }
}

export interface SqlTransaction {
  query<R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]>;
  /** A fixed utility statement (SET LOCAL ...), not prepared and without parameters. */
  exec(text: string): Promise<void>;
}

function unavailableOr(error: unknown): unknown {
  return isConnectionError(error)
    ? new DomainError('database-unavailable', undefined, { retryAfterSeconds: 1 })
    : error;
}
