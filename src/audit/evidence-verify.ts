import type { JSONWebKeySet } from 'jose';
import type { ChainVerifier, Checkpoint, VerifyFailure } from './audit-chain';
import { checkpointSeqs, readCheckpoints, type CheckpointRead } from './checkpoints';
import {
  missingCheckpoint,
  readStoredCheckpoints,
  readStoredHead,
  storedCheckpointSeqs,
  type EvidenceQuery,
  type StoredHeadRead,
} from './shared-evidence';
import { HEAD_FILE, readHead, type SignedHead } from './signed-head';

/** The signed evidence a verifier reads: the table's, and a folder's (a node's mirror, or one given with an export). */
export interface Evidence extends CheckpointRead {
  /** The checkpoints stored in the table: each names the one stored before it. */
  stored: Checkpoint[];
  /** The stored signed head as it was before the checkpoints were read: every checkpoint it names is among them. */
  named: SignedHead | undefined;
}

/**
 * Before the chain is read: the seqs whose hashes to keep (the table's
 * checkpoints, and the folder's by their names), and the reading of the
 * checkpoints themselves, whose signatures are checked meanwhile. Rows and
 * files added after the seqs were taken are left for the next verification.
 * A checkpoint in the folder that the table holds too is counted once.
 */
export async function openEvidence(
  query: EvidenceQuery,
  dir: string | undefined,
  keys: JSONWebKeySet,
): Promise<{ seqs: Set<number>; reading: Promise<Evidence> }> {
  const head = await readStoredHead(query, keys);
  const tableSeqs = await storedCheckpointSeqs(query);
  const fileSeqs = dir === undefined ? new Set<number>() : await checkpointSeqs(dir);
  const upTo = [...tableSeqs].reduce((max, seq) => Math.max(max, seq), 0);
  const reading = (async (): Promise<Evidence> => {
    const [table, files] = await Promise.all([
      readStoredCheckpoints(query, keys, upTo),
      dir === undefined ? { checkpoints: [], invalid: [] } : readCheckpoints(dir, keys),
    ]);
    const held = new Map(table.checkpoints.map((c) => [c.seq, c.headHash]));
    const mirrored = files.checkpoints.filter((c) => fileSeqs.has(c.seq) && held.get(c.seq) !== c.headHash);
    return {
      checkpoints: [...table.checkpoints, ...mirrored],
      invalid: [...table.invalid, ...files.invalid],
      stored: table.checkpoints,
      named: head.found && 'head' in head ? head.head : undefined,
    };
  })();
  // Awaited by the caller; until then a failure must not go unhandled.
  reading.catch(() => undefined);
  return { seqs: new Set([...tableSeqs, ...fileSeqs]), reading };
}

export interface StoredCover {
  failure?: VerifyFailure;
  /** Never set: a stored head covers the log or it does not. */
  unverified?: string;
  signed?: SignedHead;
}

export interface CoverAccess {
  query: EvidenceQuery;
  keys: JSONWebKeySet;
  /** The first seq the chain was verified from (1, or past the months `audit retention` took out). */
  from: number;
  /** Reads and checks records past the verifier's head up to `to`; the first failure, if any. */
  extend: (to: number) => Promise<VerifyFailure | undefined>;
}

const HASH_AT_SQL = 'SELECT record_hash FROM audit_event WHERE seq = $1';

async function hashAt(query: EvidenceQuery, seq: number): Promise<string | undefined> {
  const [row] = (await query(HASH_AT_SQL, [seq])) as { record_hash: string }[];
  return row?.record_hash;
}

/**
 * After the rows: does the signed head stored with the log cover the
 * newest record? It is read after the rows, and each batch commits with its
 * signed head, so it is at or past them: the records it vouches for beyond
 * them are read too, and a record past it was not written by a node of the
 * gateway. Then the checkpoints that the table and that head name must all
 * be there, and a folder's head file (one node's own statement) must still
 * hold. Undefined when there is no stored head and no stored checkpoint (a
 * log from before shared evidence): the head file decides, as it did.
 */
export async function coverStoredHead(
  verifier: ChainVerifier,
  evidence: Evidence,
  dir: string | undefined,
  access: CoverAccess,
): Promise<StoredCover | undefined> {
  const present = new Set(evidence.stored.map((c) => c.seq));
  const missing = missingCheckpoint(evidence.stored, present, evidence.named);
  if (missing !== undefined) return { failure: missing };
  const read: StoredHeadRead = await readStoredHead(access.query, access.keys);
  if (!read.found) {
    if (evidence.stored.length === 0) return undefined;
    return { failure: { seq: verifier.head.seq, reason: 'the signed head is missing, though checkpoints are stored' } };
  }
  if ('invalid' in read) return { failure: { seq: verifier.head.seq, reason: read.invalid } };
  const signed = read.head;
  const cover = await coverAt(verifier, signed, 'the signed head', access);
  if (cover !== undefined) return { signed, failure: cover };
  if (verifier.head.seq > signed.seq) {
    return { signed, failure: { seq: signed.seq + 1, reason: `added after the signed head (seq ${signed.seq})` } };
  }
  if (dir !== undefined) {
    const own = await readHead(dir, access.keys);
    if (own.found && 'invalid' in own) return { signed, failure: { seq: verifier.head.seq, reason: own.invalid } };
    // A head file older than the records left (a node down while its months were taken out) says nothing more.
    if (own.found && 'head' in own && own.head.seq >= access.from) {
      const failure = await coverAt(verifier, own.head, `the signed head in ${HEAD_FILE}`, access);
      if (failure !== undefined) return { signed, failure };
    }
  }
  return { signed };
}

/** The records up to `head.seq` are there, and the one at `head.seq` is the one signed. */
async function coverAt(
  verifier: ChainVerifier,
  head: SignedHead,
  what: string,
  access: CoverAccess,
): Promise<VerifyFailure | undefined> {
  if (head.seq > verifier.head.seq) {
    const failure = await access.extend(head.seq);
    if (failure !== undefined) return { ...failure, reason: `truncated: ${what} vouches for seq ${head.seq}` };
  }
  const hash = head.seq === verifier.head.seq ? verifier.head.hash : await hashAt(access.query, head.seq);
  return hash === head.headHash ? undefined : { seq: head.seq, reason: `differs from ${what}` };
}
