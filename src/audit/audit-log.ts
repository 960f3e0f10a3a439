import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Pool } from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Batcher } from '../platform/batching/batcher';
import { SqlPool, type PreparedStatement } from '../platform/database/sql';
import { DomainError } from '../platform/errors/domain-error';
import { Metrics } from '../platform/metrics/metrics';
import { Readiness } from '../platform/health/readiness';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';
import { chainRecord, hashCanonical, pseudonymise, type AuditEntry, type AuditRecord } from './audit-chain';
import { ROW_CONSISTENT_SQL } from './audit-verify';
import { writeCheckpoint } from './checkpoints';
import { checkStoredHead, type StoredHead } from './head-check';
import { recoverHead } from './head-recovery';
import { HeadWriter, signHead, type ChainHead } from './signed-head';

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
export const MAX_BATCH = 500;
/** The readiness check, and the alarm's name in logs. */
const ALARM = 'audit';

const HEAD: PreparedStatement = {
  name: 'audit.head',
  text: `SELECT seq, record_hash AS "hash", prev_hash AS "prevHash", canonical, ${ROW_CONSISTENT_SQL} AS consistent
         FROM audit_event ORDER BY seq DESC LIMIT 1`,
};
// Sent with BEGIN, in one round trip. The application's login may only INSERT and SELECT here.
const PROLOGUE = `SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})`;

interface HeadRow {
  seq: string;
  hash: string;
  prevHash: string;
  canonical: string;
  consistent: boolean | null;
}
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
 * advisory lock, numbering from the stored head: seqs are gapless because a
 * failed batch commits nothing. `append` resolves only once its record is
 * committed and the new head is signed outside the database; if either
 * fails, it rejects with 503 `audit-unavailable` and the caller releases
 * nothing.
 *
 * The sequencer keeps the head it wrote. Before each batch it compares the
 * stored head with it: an edit, a deletion or an addition made by anyone
 * else (the database's operator included) stops appends, raises an alarm
 * and takes the gateway out of readiness, until the stored head is again the
 * one it wrote.
 */
@Injectable()
export class AuditLog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly batcher = new Batcher<AuditEntry, number>((entries) => this.commit(entries), MAX_BATCH);
  /** The head this sequencer committed and signed; undefined until it is established at boot. */
  private head: ChainHead | undefined;
  /** The head of a batch whose COMMIT was sent but not acknowledged: it may have landed. */
  private pending: ChainHead | undefined;
  private alarm: string | undefined;
  /** The last head signed, as signed: a verifiable export ends with it. */
  private signed: { seq: number; jws: string } | undefined;
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
  private readonly headFile: HeadWriter;

  constructor(
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @InjectPinoLogger('audit') private readonly logger: PinoLogger,
    private readonly readiness: Readiness,
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
    this.headFile = new HeadWriter(options.checkpointDir);
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
    const mismatch: Gauge = new Gauge({
      name: 'passerelle_audit_head_alarm',
      help: '1 while appends are stopped because the stored head differs from the one signed, or cannot be signed',
      registers,
      collect: () => mismatch.set(this.alarm === undefined ? 0 : 1),
    });
    const age: Gauge = new Gauge({
      name: 'passerelle_audit_checkpoint_age_seconds',
      help: 'Seconds since this node last wrote a signed checkpoint (or started)',
      registers,
      collect: () => age.set((Date.now() - this.checkpointedAt) / 1000),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.checkpoint(), this.options.checkpointIntervalMs);
    this.timer.unref();
    try {
      await this.establishHead();
    } catch (error) {
      // The database may be down at boot; the first batch tries again.
      this.logger.warn({ event: 'audit-head-unknown', err: error }, 'the audit head could not be established yet');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.batcher.idle();
    await this.checkpoint();
    // A clean stop: nothing may follow this head until the sequencer signs again.
    if (this.head !== undefined && this.alarm === undefined && this.pending === undefined) {
      try {
        this.publishHead(this.head, 'stopped');
      } catch (error) {
        this.logger.error({ event: 'audit-head-unsigned', err: error }, 'the final audit head could not be signed');
      }
    }
    this.headFile.close();
    await this.pool.end();
  }

  /** Why appends are stopped, if they are. */
  get alarmReason(): string | undefined {
    return this.alarm;
  }

  /**
   * At boot: the head to expect is the newest one signed (the head file, or
   * a checkpoint); see recoverHead for what the stored head may be.
   */
  private async establishHead(): Promise<void> {
    const [row] = await this.sql.query<HeadRow>(HEAD, []);
    const recovered = await recoverHead(
      { dir: this.options.checkpointDir, keys: { keys: [this.key.publicJwk] }, maxBatch: MAX_BATCH },
      row === undefined ? undefined : storedHead(row),
      (text, values) => this.sql.raw(text, values),
    );
    if (!recovered.ok) {
      this.raise(recovered.reason);
      return;
    }
    if (recovered.adopted !== undefined) {
      // Not an error the sequencer can settle: an operator should know records were taken on unsigned.
      this.logger.error(
        { event: 'audit-head-adopted', alarm: true, ...recovered.adopted },
        'audit records past the last signed head were taken on after an unclean stop',
      );
    }
    this.publishHead(recovered.head, 'appending');
    this.head = recovered.head;
  }

  private raise(reason: string): void {
    if (this.alarm !== reason) {
      this.logger.error({ event: 'audit-head-mismatch', alarm: true, reason }, 'audit appends stopped: %s', reason);
    }
    this.alarm = reason;
    this.readiness.raise(ALARM, 'The audit log cannot be appended to');
  }

  private settle(): void {
    if (this.alarm === undefined) return;
    this.logger.warn({ event: 'audit-head-restored' }, 'audit appends resumed: the stored head is the one signed');
    this.alarm = undefined;
    this.readiness.clear(ALARM);
  }

  /** Signs `head` and overwrites the head file with it (synchronously: one small pwrite); the verifiers read it. */
  private publishHead(head: ChainHead, state: 'appending' | 'stopped'): void {
    const jws = signHead({ seq: head.seq, headHash: head.hash, at: new Date().toISOString(), state }, this.key);
    this.headFile.write(jws);
    this.signed = { seq: head.seq, jws };
  }

  /** The newest head this sequencer signed; undefined before its first, or while appends are stopped. */
  get signedHead(): { seq: number; jws: string } | undefined {
    return this.alarm === undefined ? this.signed : undefined;
  }

  /** The pseudonym a citizen's records are stored under, for searching them. */
  pseudonymOf(pivotId: string): string {
    return pseudonymise(this.options.pseudonymKey, pivotId);
  }

  append(entry: AuditEntry): Promise<number> {
    return this.batcher.add(entry);
  }

  /** One batch: committed and signed, or failed as a whole (503 for each of its callers). */
  private async commit(entries: AuditEntry[]): Promise<number[]> {
    let records: AuditRecord[];
    try {
      if (this.head === undefined) await this.establishHead();
      if (this.head === undefined) throw new HeadMismatch();
      records = await this.write(entries, this.head);
      const last = records[records.length - 1];
      this.head = { seq: last.seq, hash: last.recordHash };
      this.pending = undefined;
      try {
        this.publishHead(this.head, 'appending');
      } catch (error) {
        // Committed but not signed: its callers release nothing, and the gateway is not ready until a head is.
        this.raise('the audit head could not be signed outside the database');
        throw error;
      }
      this.settle();
    } catch (error) {
      this.failures.inc(entries.length);
      if (!(error instanceof HeadMismatch)) {
        this.logger.error({ event: 'audit-append-failed', err: error, records: entries.length }, 'audit append failed');
      }
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

  private write(entries: AuditEntry[], expected: ChainHead): Promise<AuditRecord[]> {
    return this.sql.transaction(async (tx) => {
      const [row] = await tx.query<HeadRow>(HEAD, []);
      const checked = checkStoredHead(expected, this.pending, row === undefined ? undefined : storedHead(row));
      if (!checked.ok) {
        this.raise(checked.reason);
        throw new HeadMismatch();
      }
      if (checked.committed) {
        // The batch whose COMMIT went unanswered did land: sign it before building on it.
        this.publishHead(checked.head, 'appending');
        this.head = checked.head;
      }
      this.pending = undefined;
      let prev = checked.head;
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
      // From here the COMMIT may land even if its answer is lost.
      this.pending = prev;
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

/** Appends are stopped: the alarm is raised and logged where it was found. */
class HeadMismatch extends Error {}

function storedHead(row: HeadRow): StoredHead {
  const seq = Number(row.seq);
  return {
    seq,
    hash: row.hash,
    intact: row.consistent === true && hashCanonical(row.prevHash, seq, row.canonical) === row.hash,
  };
}
