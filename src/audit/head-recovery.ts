import type { JSONWebKeySet } from 'jose';
import { verifyRange, type RunQuery } from './audit-verify';
import { readLatestCheckpoint } from './checkpoints';
import { decideRecovery, type StoredHead } from './head-check';
import { readHead, type ChainHead } from './signed-head';

export interface RecoveryOptions {
  /** The checkpoint directory, which holds the head file too. */
  dir: string;
  keys: JSONWebKeySet;
  maxBatch: number;
}

export type Recovery =
  | { ok: true; head: ChainHead; adopted?: { from: number; to: number; why: string } }
  | { ok: false; reason: string };

/**
 * The head a starting sequencer builds on: the signed head it finds outside
 * the database, checked against the stored one (decideRecovery). Records it
 * takes on past the signed head must chain from it.
 */
export async function recoverHead(
  options: RecoveryOptions,
  stored: StoredHead | undefined,
  query: RunQuery,
): Promise<Recovery> {
  const read = await readHead(options.dir, options.keys);
  if (read.found && 'invalid' in read) return { ok: false, reason: 'the signed head file does not verify' };
  const checkpoint = await readLatestCheckpoint(options.dir, options.keys);
  const decision = decideRecovery(read.found ? read.head : undefined, checkpoint, stored, options.maxBatch);
  switch (decision.kind) {
    case 'match':
      return { ok: true, head: decision.head };
    case 'mismatch':
      return { ok: false, reason: decision.reason };
    case 'adopt': {
      const failure = await verifyRange(query, decision.from, decision.to);
      if (failure !== undefined) return { ok: false, reason: `seq ${failure.seq}: ${failure.reason}` };
      const [row] = (await query('SELECT record_hash FROM audit_event WHERE seq = $1', [decision.to])) as {
        record_hash: string;
      }[];
      return {
        ok: true,
        head: { seq: decision.to, hash: row.record_hash },
        adopted: { from: decision.from.seq + 1, to: decision.to, why: decision.why },
      };
    }
  }
}
