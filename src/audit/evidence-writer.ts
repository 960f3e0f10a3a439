import { hostname } from 'node:os';
import type { PreparedStatement, SqlPool } from '../platform/database/sql';
import type { SigningKey } from '../platform/signing/signing-key';
import { signCheckpoint, writeCheckpointFile } from './checkpoints';
import { HeadWriter, signHead, type ChainHead, type SignedHead } from './signed-head';

/** Any constant but the sequencer's: checkpoints are stored one at a time across nodes, without holding up batches. */
const CHECKPOINT_LOCK = 7_201_883_002;

const NEWEST_CHECKPOINT: PreparedStatement = {
  name: 'audit.newest-checkpoint',
  text: 'SELECT coalesce(max(seq), 0) AS seq FROM audit_checkpoint',
};
const INSERT_CHECKPOINT: PreparedStatement = {
  name: 'audit.insert-checkpoint',
  text: 'INSERT INTO audit_checkpoint (seq, node, signed_at, jws) VALUES ($1, $2, $3, $4)',
};
// Only while the stored head is still the one this node committed: another node may have appended since.
const STOP_HEAD: PreparedStatement = {
  name: 'audit.stop-head',
  text: `UPDATE audit_head SET state = 'stopped', node = $3, signed_at = $4, jws = $5
         WHERE seq = $1 AND head_hash = $2 RETURNING seq`,
};

/** The name a node signs its evidence with by default: its host and process, in plain characters. */
export function defaultNodeName(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 63) || 'node';
  return `${host}#${process.pid}`;
}

/**
 * What the sequencer signs besides the records, and where it goes: the head
 * of each batch (stored with the batch by the sequencer itself, mirrored to
 * the head file here), the checkpoints (stored in `audit_checkpoint`, one at
 * a time across nodes, each naming the one before it, then mirrored), and
 * the head at a clean stop. The files are written only when this node has a
 * folder (AUDIT_CHECKPOINT_DIR).
 */
export class EvidenceWriter {
  private readonly headFile: HeadWriter | undefined;

  constructor(
    private readonly sql: SqlPool,
    private readonly key: SigningKey,
    readonly node: string,
    private readonly dir: string | undefined,
  ) {
    this.headFile = dir === undefined ? undefined : new HeadWriter(dir);
  }

  /** Signs `head` as this node's statement. */
  signHead(head: ChainHead, at: Date, state: SignedHead['state'], checkpoint: number): string {
    return signHead(
      { seq: head.seq, headHash: head.hash, at: at.toISOString(), state, node: this.node, checkpoint },
      this.key,
    );
  }

  /** Overwrites the head file with a signed head (synchronously: one small pwrite), when there is a folder. */
  mirrorHead(jws: string): void {
    this.headFile?.write(jws);
  }

  /**
   * Stores a signed checkpoint of `head` unless one at or past it is stored
   * already (by this node or another), then mirrors it. Returns the newest
   * checkpoint stored.
   */
  async checkpoint(head: ChainHead): Promise<number> {
    const written = await this.sql.transaction(async (tx) => {
      const [newest] = await tx.query<{ seq: string }>(NEWEST_CHECKPOINT, []);
      const prev = Number(newest.seq);
      if (prev >= head.seq) return { newest: prev, jws: undefined };
      const at = new Date().toISOString();
      const jws = signCheckpoint({ seq: head.seq, headHash: head.hash, at, node: this.node, prev }, this.key);
      await tx.query(INSERT_CHECKPOINT, [head.seq, this.node, at, jws]);
      return { newest: head.seq, jws };
    }, `SELECT pg_advisory_xact_lock(${CHECKPOINT_LOCK})`);
    if (written.jws !== undefined && this.dir !== undefined) {
      await writeCheckpointFile(this.dir, head.seq, written.jws);
    }
    return written.newest;
  }

  /**
   * At a clean stop: nothing may follow `head` until a node signs again. The
   * stored head says so if it is still this node's; the head file, this
   * node's own statement, says so in any case.
   */
  async stop(head: ChainHead): Promise<void> {
    const [newest] = await this.sql.query<{ seq: string }>(NEWEST_CHECKPOINT, []);
    const at = new Date();
    const jws = this.signHead(head, at, 'stopped', Number(newest.seq));
    await this.sql.query(STOP_HEAD, [head.seq, head.hash, this.node, at, jws]);
    this.mirrorHead(jws);
  }

  close(): void {
    this.headFile?.close();
  }
}
