import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { hashCanonical } from './audit-chain';
import { ROW_CONSISTENT_SQL, verifyRange, type RunQuery } from './audit-verify';
import { readLatestCheckpoint, verifyCheckpoint } from './checkpoints';
import { decideBoot, type StoredHead } from './head-check';
import { readHead, verifyHead, type ChainHead } from './signed-head';

export interface RecoveryOptions {
  /** This node's mirror folder (AUDIT_CHECKPOINT_DIR), when it has one: its head file and checkpoints. */
  dir: string | undefined;
  keys: JSONWebKeySet;
  maxBatch: number;
}

export type Recovery =
  | {
      ok: true;
      head: ChainHead;
      /** The newest checkpoint stored, or named by the stored signed head: none may be removed from here on. */
      checkpoint: number;
      adopted?: { from: number; to: number; why: string };
    }
  | { ok: false; reason: string };

/** The columns of the newest record that say whether it is intact, as the sequencer reads them. */
export interface NewestRow {
  seq: string | null;
  hash: string | null;
  prevHash: string | null;
  canonical: string | null;
  consistent: boolean | null;
}

/** The newest record, from its row (undefined for an empty log): intact if it rehashes and its columns agree. */
export function storedHeadOf(row: NewestRow | undefined): StoredHead | undefined {
  if (row?.seq === null || row?.seq === undefined) return undefined;
  const seq = Number(row.seq);
  return {
    seq,
    hash: row.hash ?? '',
    intact: row.consistent === true && hashCanonical(row.prevHash ?? '', seq, row.canonical ?? '') === (row.hash ?? ''),
  };
}

/** The stored head, the signed head and newest checkpoint stored with it, in one snapshot; and the hash at `$1`. */
const BOOT_SQL = `
  SELECT e.seq, e.record_hash AS "hash", e.prev_hash AS "prevHash", e.canonical, ${ROW_CONSISTENT_SQL} AS consistent,
         (SELECT jws FROM audit_head) AS "sharedJws",
         (SELECT jws FROM audit_checkpoint ORDER BY seq DESC LIMIT 1) AS "checkpointJws",
         (SELECT record_hash FROM audit_event WHERE seq = $1) AS "ownHash",
         (SELECT min(seq) FROM audit_event) AS "first"
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (SELECT * FROM audit_event ORDER BY seq DESC LIMIT 1) AS e ON true`;

interface BootRow extends NewestRow {
  sharedJws: string | null;
  checkpointJws: string | null;
  ownHash: string | null;
  first: string | null;
}

/**
 * The head a starting node builds on: the signed head stored with the log,
 * checked against the stored head and the node's own last statement
 * (decideBoot). Several nodes append to one log: another node having
 * advanced the chain while this one was down is expected. On a log that has
 * no stored signed head yet, records past the newest signature found are
 * taken on if they chain from it.
 */
export async function recoverHead(options: RecoveryOptions, query: RunQuery): Promise<Recovery> {
  const { dir, keys } = options;
  const read = dir === undefined ? ({ found: false } as const) : await readHead(dir, keys);
  if (read.found && 'invalid' in read) return { ok: false, reason: 'the signed head file does not verify' };
  const own = read.found && 'head' in read ? read.head : undefined;
  const fileCheckpoint = dir === undefined ? undefined : await readLatestCheckpoint(dir, keys);
  const [row] = (await query(BOOT_SQL, [own?.seq ?? 0])) as BootRow[];
  const shared = row.sharedJws === null ? undefined : ((await verifyHead(row.sharedJws, keys)) ?? 'invalid');
  const storedCheckpoint =
    row.checkpointJws === null
      ? undefined
      : ((await verifyCheckpoint(row.checkpointJws, createLocalJWKSet(keys))) ?? 'invalid');
  // A head file older than the records left (a node down while its months were taken out) says nothing more.
  const current = own !== undefined && own.seq >= Number(row.first ?? 0) ? own : undefined;
  const decision = decideBoot(
    { stored: storedHeadOf(row), shared, storedCheckpoint, fileCheckpoint, own: current, ownHash: row.ownHash },
    options.maxBatch,
  );
  const checkpoint = Math.max(
    typeof storedCheckpoint === 'object' ? storedCheckpoint.seq : 0,
    typeof shared === 'object' ? (shared.checkpoint ?? 0) : 0,
  );
  switch (decision.kind) {
    case 'match':
      return { ok: true, head: decision.head, checkpoint };
    case 'mismatch':
      return { ok: false, reason: decision.reason };
    case 'adopt': {
      const failure = await verifyRange(query, decision.from, decision.to);
      if (failure !== undefined) return { ok: false, reason: `seq ${failure.seq}: ${failure.reason}` };
      const [adopted] = (await query('SELECT record_hash FROM audit_event WHERE seq = $1', [decision.to])) as {
        record_hash: string;
      }[];
      return {
        ok: true,
        head: { seq: decision.to, hash: adopted.record_hash },
        checkpoint,
        adopted: { from: decision.from.seq + 1, to: decision.to, why: decision.why },
      };
    }
  }
}
