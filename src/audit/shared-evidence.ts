import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Checkpoint, VerifyFailure } from './audit-chain';
import { verifyCheckpoint, type CheckpointRead } from './checkpoints';
import { verifyHead, type SignedHead } from './signed-head';

/**
 * The audit log's signed evidence as the database keeps it for every node:
 * `audit_checkpoint` (append-only, one row per checkpoint, whichever node
 * signed it) and `audit_head` (one row: the signed head of the last batch,
 * written in that batch's own statement). Everything here is read with
 * public keys only; a row is only as good as its signature.
 */
export type EvidenceQuery = (text: string, values: unknown[]) => Promise<unknown[]>;

/** The database holds evidence the login may not read: verifying without it would prove less than it says. */
export class EvidenceUnreadable extends Error {}

const SEQS_SQL = 'SELECT seq FROM audit_checkpoint';
const PAGE_SQL = 'SELECT seq, node, jws FROM audit_checkpoint WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3';
const HEAD_SQL = 'SELECT seq, head_hash, state, node, jws FROM audit_head';
/** Rows read, and their signatures checked, at once. */
const PAGE = 1_000;

interface CheckpointRow {
  seq: string;
  node: string;
  jws: string;
}

interface HeadRow {
  seq: string;
  head_hash: string;
  state: string;
  node: string;
  jws: string;
}

/**
 * Runs `text`; a database from before shared evidence (no such table) has
 * none. A login that may not read the tables cannot verify: that is said,
 * not taken as "no evidence".
 */
async function rows<T>(query: EvidenceQuery, text: string, values: unknown[]): Promise<T[] | undefined> {
  try {
    return (await query(text, values)) as T[];
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '42P01') return undefined;
    if (code === '42501') {
      throw new EvidenceUnreadable(
        'this login may not read the signed evidence (grant it SELECT on audit_checkpoint and audit_head)',
      );
    }
    throw error;
  }
}

/** The seqs of the checkpoints stored, before any is read: the chain's verifier keeps the hashes at them. */
export async function storedCheckpointSeqs(query: EvidenceQuery): Promise<Set<number>> {
  const found = await rows<{ seq: string }>(query, SEQS_SQL, []);
  return new Set((found ?? []).map((row) => Number(row.seq)));
}

/**
 * Every stored checkpoint up to `upTo`, verified with `keys`, page by page:
 * a row holds if its JWS verifies as a checkpoint and its `seq` and `node`
 * columns say what the signed statement says. Rows that do not are named.
 */
export async function readStoredCheckpoints(
  query: EvidenceQuery,
  keys: JSONWebKeySet,
  upTo: number,
): Promise<CheckpointRead> {
  const keySet = createLocalJWKSet(keys);
  const read: CheckpointRead = { checkpoints: [], invalid: [] };
  for (let after = 0; ; ) {
    const page = await rows<CheckpointRow>(query, PAGE_SQL, [after, upTo, PAGE]);
    if (page === undefined || page.length === 0) return read;
    const verified = await Promise.all(page.map((row) => verifyCheckpoint(row.jws, keySet)));
    page.forEach((row, i) => {
      const checkpoint = verified[i];
      const holds =
        checkpoint !== undefined &&
        checkpoint.seq === Number(row.seq) &&
        (checkpoint.node === undefined || checkpoint.node === row.node);
      if (holds) read.checkpoints.push(checkpoint);
      else read.invalid.push(`audit_checkpoint seq ${row.seq}`);
    });
    if (page.length < PAGE) return read;
    after = Number(page[page.length - 1].seq);
  }
}

export type StoredHeadRead =
  | { found: false }
  | { found: true; head: SignedHead; jws: string }
  | { found: true; invalid: string };

/** The signed head stored with the last batch, verified; its columns must say what it signs. */
export async function readStoredHead(query: EvidenceQuery, keys: JSONWebKeySet): Promise<StoredHeadRead> {
  const [row] = (await rows<HeadRow>(query, HEAD_SQL, [])) ?? [];
  if (row === undefined) return { found: false };
  const head = await verifyHead(row.jws, keys);
  const holds =
    head !== undefined &&
    head.seq === Number(row.seq) &&
    head.headHash === row.head_hash &&
    head.state === row.state &&
    (head.node === undefined || head.node === row.node);
  return holds
    ? { found: true, head, jws: row.jws }
    : { found: true, invalid: 'audit_head: signature or content invalid' };
}

/**
 * Checkpoints removed from the table: each stored checkpoint names the one
 * stored before it, and the signed head names the newest there was when its
 * batch committed; each must be among those read (`present`, the table's and
 * any files'). The first missing, if any. Pure.
 */
export function missingCheckpoint(
  stored: readonly Checkpoint[],
  present: ReadonlySet<number>,
  head: SignedHead | undefined,
): VerifyFailure | undefined {
  const named = stored
    .filter((c) => c.prev !== undefined && c.prev > 0)
    .map((c) => ({ seq: c.prev ?? 0, by: `the checkpoint at seq ${c.seq} follows it` }));
  if (head?.checkpoint !== undefined && head.checkpoint > 0) {
    named.push({ seq: head.checkpoint, by: `the signed head (seq ${head.seq}) names it` });
  }
  const missing = named.filter((n) => !present.has(n.seq)).sort((a, b) => a.seq - b.seq)[0];
  return missing === undefined
    ? undefined
    : { seq: missing.seq, reason: `a signed checkpoint is missing: ${missing.by}` };
}

/** The stored signed head as it is, unverified (an export ends with it; its reader verifies it). */
export async function storedHeadJws(query: EvidenceQuery): Promise<{ seq: number; jws: string } | undefined> {
  const [row] = (await rows<HeadRow>(query, HEAD_SQL, [])) ?? [];
  return row === undefined ? undefined : { seq: Number(row.seq), jws: row.jws };
}

/** The stored checkpoints as they are, unverified, oldest first (a copy given to a third party, who verifies them). */
export async function storedCheckpointCopies(query: EvidenceQuery): Promise<{ seq: number; jws: string }[]> {
  const found =
    (await rows<CheckpointRow>(query, 'SELECT seq, node, jws FROM audit_checkpoint ORDER BY seq', [])) ?? [];
  return found.map((row) => ({ seq: Number(row.seq), jws: row.jws }));
}
