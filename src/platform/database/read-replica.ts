import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type QueryResultRow } from 'pg';
import { DomainError } from '../errors/domain-error';
import { Sql, SqlPool, type PreparedStatement } from './sql';

export const READ_REPLICA_OPTIONS = Symbol('READ_REPLICA_OPTIONS');

export interface ReadReplicaOptions {
  /** DATABASE_REPLICA_URL; unset: every read goes to the primary. */
  url: string | undefined;
  poolMax: number;
  statementTimeoutMs: number;
}

const isUnavailable = (error: unknown): boolean =>
  error instanceof DomainError && (error as DomainError).code === 'database-unavailable';

/**
 * Reads that may lag behind the primary: the privacy officers' searches and
 * exports. Never a decision, never the chain head: those read the primary
 * (Sql). With DATABASE_REPLICA_URL unset, or while the replica cannot be
 * reached, the primary answers instead, so a replica down costs load, not
 * service.
 */
@Injectable()
export class ReadReplica implements OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplica');
  private readonly replica: SqlPool | undefined;
  private readonly pool: Pool | undefined;
  private warned = false;

  constructor(
    private readonly primary: Sql,
    @Inject(READ_REPLICA_OPTIONS) options: ReadReplicaOptions,
  ) {
    if (options.url === undefined) return;
    this.pool = new Pool({
      connectionString: options.url,
      max: Math.max(2, Math.ceil(options.poolMax / 4)),
      statement_timeout: options.statementTimeoutMs,
      application_name: 'passerelle-replica-reads',
      connectionTimeoutMillis: 3_000,
    });
    // An idle connection that dies is replaced on the next query; it must not crash the process.
    this.pool.on('error', () => undefined);
    this.replica = new SqlPool(this.pool);
  }

  /** Whether a replica is configured (the primary answers otherwise). */
  get configured(): boolean {
    return this.replica !== undefined;
  }

  async query<R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]> {
    if (this.replica === undefined) return this.primary.query<R>(statement, values);
    try {
      return await this.replica.query<R>(statement, values);
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      if (!this.warned) this.logger.warn('the read replica cannot be reached: the primary serves its reads');
      this.warned = true;
      return this.primary.query<R>(statement, values);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }
}
