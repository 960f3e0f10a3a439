import { Pool } from 'pg';
import {
  type FetchContext,
  type LegacyRecord,
  SourceError,
  type SourceAdapter,
  type SourceLimits,
  toSourceError,
} from '../source-adapter';
import type { SqlSettings } from './sql-settings';

/**
 * Reads the source's own database with the contract's parameterised query.
 * The session is read-only and has a server-side statement timeout, so even
 * a query the gateway stopped waiting for cannot run on.
 */
export class SqlAdapter implements SourceAdapter {
  readonly kind = 'sql';
  private readonly pool: Pool;

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
      const result = await Promise.race([
        this.pool.query<Record<string, unknown>>({
          name: 'passerelle-source-fetch',
          text: this.settings.query,
          values: [localId],
        }),
        aborted,
      ]);
      if (result.rows.length === 0) return null;
      if (result.rows.length > 1) throw new SourceError('bad-response', 'more than one row for one local id');
      const row = result.rows[0];
      if (Buffer.byteLength(JSON.stringify(row)) > this.limits.maxResponseBytes) {
        throw new SourceError('bad-response', 'row too large');
      }
      return row;
    } catch (error) {
      throw toSqlSourceError(error, signal);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
      // The race's loser must not surface as an unhandled rejection.
      aborted.catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
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
