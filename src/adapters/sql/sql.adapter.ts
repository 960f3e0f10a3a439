import { Pool } from 'pg';
import type { LegacyRecord } from '../../contracts/mapping';
import {
  type FetchContext,
  SourceError,
  type SourceAdapter,
  type SourceLimits,
  toSourceError,
} from '../source-adapter';
import { boundedRowQuery, describeQuery, readBoundedRows } from './bounded-row-query';
import type { SqlSettings } from './sql-settings';

/**
 * Reads the source's own database with the contract's parameterised query.
 * The session is read-only and has a server-side statement timeout, so even
 * a query the gateway stopped waiting for cannot run on. The query is wrapped
 * (boundedRowQuery) so that the server sends at most one row within the size
 * limit: a huge row or a huge result is refused before it travels.
 */
export class SqlAdapter implements SourceAdapter {
  readonly kind = 'sql';
  private readonly pool: Pool;
  private columns: Promise<string[]> | undefined;

  constructor(
    private readonly settings: SqlSettings,
    endpoint: string,
    private readonly limits: SourceLimits,
    options: { maxConnections?: number; statementTimeoutMs?: number } = {},
  ) {
    this.pool = new Pool({
      connectionString: endpoint,
      max: options.maxConnections ?? 16,
      connectionTimeoutMillis: 1000,
      idleTimeoutMillis: 30_000,
      application_name: 'passerelle-source',
      options: `-c default_transaction_read_only=on -c statement_timeout=${options.statementTimeoutMs ?? 5000}`,
    });
    // An idle connection the source drops must not take the process down.
    this.pool.on('error', () => undefined);
  }

  async fetch(localId: string, { signal }: FetchContext): Promise<LegacyRecord | null> {
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(new SourceError('timeout', 'deadline exceeded'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const names = await Promise.race([this.columnNames(localId), aborted]);
      const result = await Promise.race([
        this.pool.query<unknown[]>({
          // One prepared statement per shape: pg refuses a name reused with another text.
          name: `passerelle-source-fetch-${names.length}`,
          text: boundedRowQuery(this.settings.query, names.length),
          values: [localId, this.limits.maxResponseBytes],
          rowMode: 'array',
        }),
        aborted,
      ]);
      const answer = readBoundedRows(names, result.rows, this.limits.maxResponseBytes);
      if (answer.kind === 'none') return null;
      if (answer.kind === 'too-many') throw new SourceError('bad-response', 'more than one row for one local id');
      // The server measured text; the record goes on as JSON, which may escape a little more.
      if (answer.kind === 'too-large' || Buffer.byteLength(JSON.stringify(answer.row)) > this.limits.maxResponseBytes) {
        throw new SourceError('bad-response', 'row too large');
      }
      return answer.row;
    } catch (error) {
      // SQLSTATE class 42 (e.g. a column count that no longer fits): the source's
      // columns may have changed under the query, so learn them again next time.
      if (sqlState(error)?.startsWith('42') === true) this.columns = undefined;
      throw toSqlSourceError(error, signal);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
      // The race's loser must not surface as an unhandled rejection.
      aborted.catch(() => undefined);
    }
  }

  /** The contract query's column names, learnt once from an empty run of it (see boundedRowQuery). */
  private columnNames(localId: string): Promise<string[]> {
    if (this.columns === undefined) {
      const describing = this.pool
        .query({ text: describeQuery(this.settings.query), values: [localId] })
        .then((result) => result.fields.map((field) => field.name));
      // A failed attempt is not kept: the next fetch asks again.
      describing.catch(() => {
        if (this.columns === describing) this.columns = undefined;
      });
      this.columns = describing;
    }
    return this.columns;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function sqlState(error: unknown): string | undefined {
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

/** pg reports a dropped connection by message only; that is "unavailable", like a refused one. */
function toSqlSourceError(error: unknown, signal: AbortSignal): SourceError {
  if (error instanceof SourceError) return error;
  const message = error instanceof Error ? error.message : '';
  if (
    !signal.aborted &&
    /Connection terminated|connection error|timeout exceeded when trying to connect/i.test(message)
  ) {
    return new SourceError('unavailable', 'connection lost', { connection: true, cause: error });
  }
  const mapped = toSourceError(error, signal);
  if (mapped.failure === 'bad-response') {
    const { code } = error as { code?: unknown };
    // SQLSTATE class 08 (connection exception) and 57P0x (server shutting down) are availability problems.
    if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P'))) {
      return new SourceError('unavailable', `sqlstate ${code}`, { cause: error });
    }
    return new SourceError('bad-response', typeof code === 'string' ? `sqlstate ${code}` : 'query failed', {
      cause: error,
    });
  }
  return mapped;
}
