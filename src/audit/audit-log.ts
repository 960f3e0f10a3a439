import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Pool } from 'pg';
import type { Counter, Histogram } from 'prom-client';
import { Batcher } from '../platform/batching/batcher';
import { SqlPool } from '../platform/database/sql';
import { DomainError } from '../platform/errors/domain-error';
import { Metrics } from '../platform/metrics/metrics';
import { Readiness } from '../platform/health/readiness';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';
import { auditMetrics } from './audit-metrics';
import { chainRecords, pseudonymise, type AuditEntry, type AuditRecord } from './audit-chain';
import { defaultNodeName, EvidenceWriter } from './evidence-writer';
import { checkChainHead } from './head-check';
import { recoverHead, storedHeadOf } from './head-recovery';
import { APPEND_ON_HEAD, INSERT, insertValues, OBSERVE, PROLOGUE, type ObservedRow } from './sequencer-statements';
import { verifyHeadWith, type ChainHead, type SignedHead } from './signed-head';

export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');

export interface AuditOptions {
  /** The sequencer has connections of its own: appends never wait behind requests holding the main pool. */
  databaseUrl: string;
  pseudonymKey: Buffer;
  /**
   * A mirror of this node's signed evidence as files (`head.jws`,
   * `checkpoint-<seq>.jws`), for operators who ship them to write-once
   * storage; unset, none. The evidence itself is stored with the log.
   */
  checkpointDir?: string;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  /** This node's name in the evidence it signs (default: its host name and process id). */
  node?: string;
}

export const MAX_BATCH = 500;
/** The readiness check, and the alarm's name in logs. */
const ALARM = 'audit';

/**
 * The audit log's sequencer on this node. Appends wait in a queue; one
 * writer takes everything queued and commits it in one transaction, under an
 * advisory lock shared by every node, numbering from the stored head: seqs
 * are gapless because a failed batch commits nothing. Each batch stores its
 * head, signed by this node, in the batch's own statement (`audit_head`),
 * and mirrors it to the head file when there is a folder. `append` resolves
 * only once its record and that signed head are committed; if they are not,
 * it rejects with 503 `audit-unavailable` and the caller releases nothing.
 *
 * The sequencer keeps the head it wrote. Before each batch it checks the
 * stored head (checkChainHead): its own, or another node's that a signed
 * head vouches for and that follows its own records. An edit, a deletion or
 * an addition made by anyone else (the database's operator included), or a
 * signed checkpoint removed, stops appends, raises an alarm and takes the
 * node out of readiness, until the stored evidence holds again.
 */
@Injectable()
export class AuditLog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly batcher = new Batcher<AuditEntry, number>((entries) => this.commit(entries), MAX_BATCH);
  /** The head this sequencer committed; undefined until it is established at boot. */
  private head: ChainHead | undefined;
  /** The head of a batch whose COMMIT was sent but not acknowledged: it may have landed. */
  private pending: ChainHead | undefined;
  private alarm: string | undefined;
  /** The last head this node signed, as signed: a verifiable export ends with it. */
  private signed: { seq: number; jws: string } | undefined;
  /** The newest checkpoint known to be stored: none up to it may disappear. */
  private knownCheckpoint = 0;
  /** The last head this node checkpointed (or found covered by a newer checkpoint). */
  private checkpointed = 0;
  /** The head a checkpoint has been queued for, so that batches meanwhile do not queue more. */
  private checkpointQueued = 0;
  private checkpointedAt = Date.now();
  /** The stored signed head last verified, so that one another node wrote is checked once. */
  private sharedSeen: { jws: string; head: SignedHead | 'invalid' } | undefined;
  private readonly publicKey: KeyObject;
  private readonly batchSize: Histogram;
  private readonly failures: Counter;
  private readonly batches: Counter<'path'>;
  private checkpointing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly pool: Pool;
  private readonly sql: SqlPool;
  private readonly evidence: EvidenceWriter;

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
    this.publicKey = createPublicKey(key.signer);
    this.evidence = new EvidenceWriter(this.sql, key, options.node ?? defaultNodeName(), options.checkpointDir);
    const recorded = auditMetrics(metrics.registry, {
      checkpointLag: () =>
        this.head === undefined
          ? Number.NaN
          : Math.max(0, this.head.seq - Math.max(this.checkpointed, this.knownCheckpoint)),
      alarmed: () => this.alarm !== undefined,
      checkpointAgeSeconds: () => (Date.now() - this.checkpointedAt) / 1000,
    });
    this.batchSize = recorded.batchSize;
    this.batches = recorded.batches;
    this.failures = recorded.failures;
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
    // A clean stop: nothing may follow this head until a node signs again.
    if (this.head !== undefined && this.alarm === undefined && this.pending === undefined) {
      try {
        await this.evidence.stop(this.head);
      } catch (error) {
        this.logger.error({ event: 'audit-head-unsigned', err: error }, 'the final audit head could not be signed');
      }
    }
    this.evidence.close();
    await this.pool.end();
  }

  /** Why appends are stopped, if they are. */
  get alarmReason(): string | undefined {
    return this.alarm;
  }

  /** At boot: the head to build on is the signed head stored with the log; see recoverHead. */
  private async establishHead(): Promise<void> {
    const recovered = await recoverHead(
      { dir: this.options.checkpointDir, keys: { keys: [this.key.publicJwk] }, maxBatch: MAX_BATCH },
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
        'audit records past the last signed head were taken on',
      );
    }
    this.knownCheckpoint = recovered.checkpoint;
    // This node's own statement that it builds on this head; the stored signed head stays the log's.
    const jws = this.evidence.signHead(recovered.head, new Date(), 'appending', recovered.checkpoint);
    this.evidence.mirrorHead(jws);
    this.signed = { seq: recovered.head.seq, jws };
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

  /** The newest head this node signed; undefined before its first, or while appends are stopped. */
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

  /** One batch: committed with its signed head, or failed as a whole (503 for each of its callers). */
  private async commit(entries: AuditEntry[]): Promise<number[]> {
    let records: AuditRecord[];
    let written: Written;
    try {
      if (this.head === undefined) await this.establishHead();
      if (this.head === undefined) throw new HeadMismatch();
      written = await this.write(entries, this.head);
      records = written.records;
      const last = records[records.length - 1];
      this.head = { seq: last.seq, hash: last.recordHash };
      this.pending = undefined;
      this.signed = { seq: last.seq, jws: written.jws };
      try {
        this.evidence.mirrorHead(written.jws);
      } catch (error) {
        // The operator asked for a copy outside the database: its callers release nothing until there is one.
        this.raise('the signed audit head could not be written to AUDIT_CHECKPOINT_DIR');
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
    this.batches.inc({ path: written.path });
    const head = this.head;
    const covered = Math.max(this.checkpointed, this.checkpointQueued, this.knownCheckpoint);
    if (head !== undefined && head.seq - covered >= this.options.checkpointEvery) {
      // Not awaited: the batch's callers need not wait for it. It signs this batch's head.
      this.checkpointQueued = head.seq;
      void this.checkpointAt(() => head);
    }
    return records.map((record) => record.seq);
  }

  /** The batch on the head this node expects, in one statement; the long way when that head has moved. */
  private async write(entries: AuditEntry[], expected: ChainHead): Promise<Written> {
    if (this.pending === undefined && expected.seq > 0) {
      const written = await this.writeOnHead(entries, expected);
      if (written !== undefined) return written;
    }
    return this.writeObserved(entries, expected);
  }

  /** Appended only if the stored head is still `expected` (APPEND_ON_HEAD); undefined when it was not. */
  private async writeOnHead(entries: AuditEntry[], expected: ChainHead): Promise<Written | undefined> {
    const batch = this.chain(entries, expected, this.knownCheckpoint);
    // The statement commits itself: from here it may land even if its answer is lost.
    this.pending = batch.head;
    const [row] = await this.sql.query<{ appended: number }>(APPEND_ON_HEAD, [
      ...batch.values,
      expected.seq,
      expected.hash,
      this.knownCheckpoint,
    ]);
    if (row.appended !== entries.length) {
      this.pending = undefined;
      return undefined;
    }
    return { records: batch.records, jws: batch.jws, path: 'on-head' };
  }

  /** Under the advisory lock: the stored head observed and checked (checkChainHead), then the batch on it. */
  private writeObserved(entries: AuditEntry[], expected: ChainHead): Promise<Written> {
    return this.sql.transaction(async (tx) => {
      // Taken before the read: a checkpoint stored meanwhile is in the statement's snapshot only if it came first.
      const known = this.knownCheckpoint;
      const [row] = await tx.query<ObservedRow>(OBSERVE, [expected.seq, this.pending?.seq ?? 0, expected.hash]);
      const checked = checkChainHead(expected, this.pending, known, {
        stored: storedHeadOf(row),
        shared: () => this.verifyShared(row.sharedJws),
        checkpoint: Number(row.checkpoint),
        expectedHash: row.expectedHash,
        pendingHash: row.pendingHash,
      });
      if (!checked.ok) {
        this.raise(checked.reason);
        throw new HeadMismatch();
      }
      // The batch whose COMMIT went unanswered landed, or another node appended: build on the stored head.
      this.head = checked.head;
      this.pending = undefined;
      this.knownCheckpoint = Math.max(this.knownCheckpoint, checked.checkpoint);
      const batch = this.chain(entries, checked.head, checked.checkpoint);
      await tx.query(INSERT, batch.values);
      // From here the COMMIT may land even if its answer is lost.
      this.pending = batch.head;
      return { records: batch.records, jws: batch.jws, path: 'observed' as const };
    }, PROLOGUE);
  }

  /** The entries chained on `head`, the batch's signed head, and INSERT's parameters for both. */
  private chain(
    entries: AuditEntry[],
    head: ChainHead,
    checkpoint: number,
  ): { records: AuditRecord[]; head: ChainHead; jws: string; values: unknown[] } {
    const now = new Date();
    const { records, head: last } = chainRecords(head, entries, now, this.options.pseudonymKey);
    const jws = this.evidence.signHead(last, now, 'appending', checkpoint);
    const values = insertValues(records, { head: last, node: this.evidence.node, signedAt: now, jws });
    return { records, head: last, jws, values };
  }

  /** The stored signed head, verified with this node's key (another node's is checked once). */
  private verifyShared(jws: string | null): SignedHead | 'invalid' | undefined {
    if (jws === null) return undefined;
    if (this.sharedSeen?.jws !== jws) this.sharedSeen = { jws, head: verifyHeadWith(jws, this.publicKey) ?? 'invalid' };
    return this.sharedSeen.head;
  }

  /**
   * Stores a signed checkpoint of this node's head, if it advanced past the
   * newest one stored. Checkpoints are written one after another, so a
   * later head is never overtaken by an earlier one.
   */
  checkpoint(): Promise<void> {
    return this.checkpointAt(() => this.head);
  }

  /** Queues a checkpoint of the head `headOf` gives when its turn comes. */
  private checkpointAt(headOf: () => ChainHead | undefined): Promise<void> {
    this.checkpointing = this.checkpointing.then(() => this.checkpointHead(headOf()));
    return this.checkpointing;
  }

  private async checkpointHead(head: ChainHead | undefined): Promise<void> {
    if (head === undefined || head.seq <= Math.max(this.checkpointed, this.knownCheckpoint)) return;
    try {
      const newest = await this.evidence.checkpoint(head);
      this.checkpointed = head.seq;
      this.knownCheckpoint = Math.max(this.knownCheckpoint, newest);
      this.checkpointedAt = Date.now();
    } catch (error) {
      this.logger.error({ event: 'audit-checkpoint-failed', err: error }, 'audit checkpoint could not be written');
    }
  }
}

/** Appends are stopped: the alarm is raised and logged where it was found. */
class HeadMismatch extends Error {}

/** A committed batch: its records, its signed head, and the way it took (the batches metric's label). */
interface Written {
  records: AuditRecord[];
  jws: string;
  path: 'on-head' | 'observed';
}
