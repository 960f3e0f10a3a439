import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { DomainError } from '../errors/domain-error';
import { untraced } from '../telemetry/spans';

/** A statement prepared once per pooled connection, by name. */
export interface PreparedStatement {
  name: string;
  text: string;
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P03']);

/** True for errors that mean "the database cannot be reached", not "the query is wrong". */
export function isConnectionError(error: unknown): boolean {
  // Duck-typed: errors raised by Node's socket layer need not share this realm's Error.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_ERRORS.has(code) || code.startsWith('08'))) return true;
  if (typeof message !== 'string') return false;
  // pg-pool may re-wrap connect failures in an Error that keeps only the message.
  return /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND)\b|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

/**
 * The hot path's access to PostgreSQL: named prepared statements on the same
 * pool TypeORM manages, with no ORM in between. An unreachable database
 * becomes a 503 `database-unavailable`, so callers fail closed.
 */
export class SqlPool {
  constructor(protected readonly pool: Pool) {}

  async query<R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]> {
    try {
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
   * Runs `work` in one transaction on one connection: committed when it
   * resolves, rolled back when it throws. Statements stay prepared by name.
   * `prologue`, fixed statements without parameters (SET LOCAL ...), is sent
   * with BEGIN in the same round trip.
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
    try {
      // A transaction's bounds are not traced: its statements are, under the caller's span.
      await untraced(() => client.query(prologue === undefined ? 'BEGIN' : `BEGIN; ${prologue}`));
      const result = await work({
        query: async <R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]> =>
          (await client.query<R>({ name: statement.name, text: statement.text, values })).rows,
        exec: async (text: string): Promise<void> => {
          await client.query(text);
        },
      });
      await untraced(() => client.query('COMMIT'));
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw unavailableOr(error);
    } finally {
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
