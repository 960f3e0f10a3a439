import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Pool } from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Batcher } from '../platform/batching/batcher';
import { SqlPool, type PreparedStatement } from '../platform/database/sql';
import { DomainError } from '../platform/errors/domain-error';
import { Metrics } from '../platform/metrics/metrics';
import { AUDIT_APPENDER_ROLE } from '../platform/database/migrations/1795737600000-audit';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';
import { chainRecord, GENESIS_HASH, pseudonymise, type AuditEntry, type AuditRecord } from './audit-chain';
import { writeCheckpoint } from './checkpoints';

export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');

export interface AuditOptions {
  /** The sequencer has connections of its own: appends never wait behind requests holding the main pool. */
  databaseUrl: string;
  pseudonymKey: Buffer;
  checkpointDir: string;
  checkpointEvery: number;
  checkpointIntervalMs: number;
}

/** Any constant: the advisory lock that makes one appender at a time, across gateway nodes. */
const SEQUENCER_LOCK = 7_201_883_001;
const MAX_BATCH = 500;

const HEAD: PreparedStatement = {
  name: 'audit.head',
  text: 'SELECT seq, record_hash AS "hash" FROM audit_event ORDER BY seq DESC LIMIT 1',
};
// Sent with BEGIN, in one round trip: the INSERT-only role, then the sequencer's lock.
const PROLOGUE = `SET LOCAL ROLE ${AUDIT_APPENDER_ROLE}; SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})`;
const INSERT: PreparedStatement = {
  name: 'audit.insert',
  text: `INSERT INTO audit_event (seq, recorded_at, kind, organisation, citizen_pseudonym, product, purpose, decision,
           correlation_id, payload, prev_hash, record_hash, canonical)
         SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[])`,
};

/**
 * The single sequencer of the audit log. Appends wait in a queue; one writer
 * takes everything queued and commits it in one transaction, under an
 * advisory lock and the INSERT-only role, numbering from the stored head:
 * seqs are gapless because a failed batch commits nothing. `append`
 * resolves only once its record is committed; if it cannot be, it rejects
 * with 503 `audit-unavailable` and the caller releases nothing.
 */
@Injectable()
export class AuditLog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly batcher = new Batcher<AuditEntry, number>((entries) => this.commit(entries), MAX_BATCH);
  private head: { seq: number; hash: string } | undefined;
  private checkpointed = 0;
  /** The head a checkpoint has been queued for, so that batches meanwhile do not queue more. */
  private checkpointQueued = 0;
  private checkpointedAt = Date.now();
  private readonly batchSize: Histogram;
  private readonly failures: Counter;
  private checkpointing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly pool: Pool;
  private readonly sql: SqlPool;

  constructor(
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @InjectPinoLogger('audit') private readonly logger: PinoLogger,
    metrics: Metrics,
  ) {
    this.pool = new Pool({
      connectionString: options.databaseUrl,
      max: 2,
      connectionTimeoutMillis: 2_000,
      statement_timeout: 5_000,
      application_name: 'passerelle-audit',
    });
    // An idle connection that breaks is replaced on the next append; the error must not crash the process.
    this.pool.on('error', () => undefined);
    this.sql = new SqlPool(this.pool);
    const registers = [metrics.registry];
    this.batchSize = new Histogram({
      name: 'passerelle_audit_batch_records',
      help: 'Records committed per audit batch (one transaction each)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 500],
      registers,
    });
    this.failures = new Counter({
      name: 'passerelle_audit_append_failures_total',
      help: 'Audit records that could not be committed (their callers answered 503 and released nothing)',
      registers,
    });
    const lag: Gauge = new Gauge({
      name: 'passerelle_audit_checkpoint_lag_records',
      help: 'Records appended by this node since its last signed checkpoint (NaN while the head is unknown)',
      registers,
      collect: () => lag.set(this.head === undefined ? Number.NaN : this.head.seq - this.checkpointed),
    });
    const age: Gauge = new Gauge({
      name: 'passerelle_audit_checkpoint_age_seconds',
      help: 'Seconds since this node last wrote a signed checkpoint (or started)',
      registers,
      collect: () => age.set((Date.now() - this.checkpointedAt) / 1000),
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.checkpoint(), this.options.checkpointIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.batcher.idle();
    await this.checkpoint();
    await this.pool.end();
  }

  /** The pseudonym a citizen's records are stored under, for searching them. */
  pseudonymOf(pivotId: string): string {
    return pseudonymise(this.options.pseudonymKey, pivotId);
  }

  append(entry: AuditEntry): Promise<number> {
    return this.batcher.add(entry);
  }

  /** One batch: committed, or failed as a whole (503 for each of its callers, nothing numbered). */
  private async commit(entries: AuditEntry[]): Promise<number[]> {
    let records: AuditRecord[];
    try {
      records = await this.write(entries);
    } catch (error) {
      this.head = undefined;
      this.failures.inc(entries.length);
      this.logger.error({ event: 'audit-append-failed', err: error, records: entries.length }, 'audit append failed');
      throw new DomainError('audit-unavailable', undefined, { retryAfterSeconds: 1 });
    }
    this.batchSize.observe(entries.length);
    const head = this.head;
    if (
      head !== undefined &&
      head.seq - Math.max(this.checkpointed, this.checkpointQueued) >= this.options.checkpointEvery
    ) {
      // Not awaited: the batch's callers need not wait for the file. It signs this batch's head.
      this.checkpointQueued = head.seq;
      void this.checkpointAt(() => head);
    }
    return records.map((record) => record.seq);
  }

  private write(entries: AuditEntry[]): Promise<AuditRecord[]> {
    return this.sql.transaction(async (tx) => {
      const [stored] = await tx.query<{ seq: string; hash: string }>(HEAD, []);
      let prev = stored === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(stored.seq), hash: stored.hash };
      const now = new Date();
      const records = entries.map((entry) => {
        const record = chainRecord(prev, entry, now, this.options.pseudonymKey);
        prev = { seq: record.seq, hash: record.recordHash };
        return record;
      });
      const column = <T>(pick: (record: AuditRecord) => T): T[] => records.map(pick);
      await tx.query(INSERT, [
        column((r) => r.seq),
        column(() => now),
        column((r) => r.payload.kind),
        column((r) => r.payload.organisation ?? null),
        column((r) => r.payload.citizen ?? null),
        column((r) => r.payload.product ?? null),
        column((r) => r.payload.purpose ?? null),
        column((r) => r.payload.decision ?? null),
        column((r) => r.payload.correlationId ?? null),
        column((r) => r.canonical),
        column((r) => r.prevHash),
        column((r) => r.recordHash),
        column((r) => r.canonical),
      ]);
      this.head = prev;
      return records;
    }, PROLOGUE);
  }

  /**
   * Signs the current head into the checkpoint directory, if anything was
   * appended since the last one. Checkpoints are written one after another,
   * so a later head is never overtaken by an earlier one.
   */
  checkpoint(): Promise<void> {
    return this.checkpointAt(() => this.head);
  }

  /** Queues a checkpoint of the head `headOf` gives when its turn comes. */
  private checkpointAt(headOf: () => { seq: number; hash: string } | undefined): Promise<void> {
    this.checkpointing = this.checkpointing.then(() => this.checkpointHead(headOf()));
    return this.checkpointing;
  }

  private async checkpointHead(head: { seq: number; hash: string } | undefined): Promise<void> {
    if (head === undefined || head.seq <= this.checkpointed) return;
    try {
      await writeCheckpoint(
        this.options.checkpointDir,
        { seq: head.seq, headHash: head.hash, at: new Date().toISOString() },
        this.key,
      );
      this.checkpointed = head.seq;
      this.checkpointedAt = Date.now();
    } catch (error) {
      this.logger.error({ event: 'audit-checkpoint-failed', err: error }, 'audit checkpoint could not be written');
    }
  }
}
