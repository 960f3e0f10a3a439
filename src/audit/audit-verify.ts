import type { JSONWebKeySet } from 'jose';
import { ChainVerifier, GENESIS_HASH, type StoredRow, type VerifyFailure } from './audit-chain';
import { coverStoredHead, openEvidence } from './evidence-verify';
import { readRetentions, retainedBefore } from './retention-statement';
import { readHead, type ChainHead, type SignedHead } from './signed-head';

const PAGE = 10_000;
/**
 * Segments verified at once, each on its own connection: the database checks
 * some pages while this process hashes another (1M records on 2 cores: 94–102k
 * records/s with two, 127k with three, 121k with four).
 */
export const VERIFY_SEGMENTS = 3;
const BOUNDS_SQL = 'SELECT min(seq) AS first, max(seq) AS last FROM audit_event';
const HASH_AT_SQL = 'SELECT record_hash FROM audit_event WHERE seq = $1';
/**
 * Whether a row's jsonb payload and filter columns equal its hashed text: the
 * database compares them, so only the text travels.
 */
export const ROW_CONSISTENT_SQL = `(canonical::jsonb = payload AND (payload->>'seq')::bigint = seq
      AND kind = payload->>'kind'
      AND organisation IS NOT DISTINCT FROM payload->>'organisation'
      AND citizen_pseudonym IS NOT DISTINCT FROM payload->>'citizen'
      AND product IS NOT DISTINCT FROM payload->>'product'
      AND purpose IS NOT DISTINCT FROM payload->>'purpose'
      AND decision IS NOT DISTINCT FROM payload->>'decision'
      AND correlation_id IS NOT DISTINCT FROM payload->>'correlationId')`;
const PAGE_SQL = `SELECT seq, canonical, prev_hash, record_hash, ${ROW_CONSISTENT_SQL} AS consistent
  FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`;
/** How long a verifier waits for a running gateway to sign records it has just committed. */
const SIGNED_HEAD_WAIT_MS = 2_000;

export interface AuditRow {
  seq: string;
  canonical: string;
  prev_hash: string;
  record_hash: string;
  consistent: boolean | null;
}

export type RunQuery = (text: string, values: unknown[]) => Promise<unknown[]>;

export interface VerifyOptions {
  /** Rows per keyset page. */
  page?: number;
  /** How many segments of the chain are read at once; a log under `segments` pages is read whole. */
  segments?: number;
  /** How long to wait for a running gateway to sign the records read last. */
  signedHeadWaitMs?: number;
}

/**
 * `intact`: every record holds and a signature covers the head. `broken`:
 * something was changed, removed, reordered or added (`failure` says where).
 * `unverifiable`: what was read holds, but no signature covers the head, so a
 * change there could not be told apart.
 */
export type VerifyOutcome = 'intact' | 'broken' | 'unverifiable';

export interface VerifyReport {
  ok: boolean;
  outcome: VerifyOutcome;
  verified: number;
  head: { seq: number; hash: string };
  checkpoints: number;
  latestCheckpoint: { seq: number; at: string } | null;
  signedHead: { seq: number; at: string; state: SignedHead['state'] } | null;
  /** The newest retention statement the chain starts after: records up to its seq were exported and detached. */
  retained: { seq: number; at: string; partition: string } | null;
  failure?: VerifyFailure;
  /** Why the head could not be verified, when the outcome is `unverifiable`. */
  unverified?: string;
  invalidCheckpoints: string[];
  seconds: number;
}

/**
 * Verifies the whole audit log from the database and the checkpoint
 * directory, with public keys only: every record in seq order (keyset pages,
 * flat memory; the chain cut into segments read at once and joined in
 * order), then the signed checkpoints, then the signed head: the newest
 * record must be the one the gateway signed last. Reports the first bad seq.
 *
 * Old months taken out by `audit retention` leave a signed retention
 * statement for the last record of each: the chain then starts after the
 * newest statement before the first stored record, from the hash it vouches
 * for, and the checkpoints before it are the exports' to check. Records
 * missing after it are missing, as they would be from seq 1.
 */
export async function verifyAuditLog(
  query: RunQuery,
  checkpointDir: string | undefined,
  keys: JSONWebKeySet,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = process.hrtime.bigint();
  const page = options.page ?? PAGE;
  // The stored checkpoints (and a folder's) say which hashes to keep; their signatures are checked meanwhile.
  const { seqs, reading } = await openEvidence(query, checkpointDir, keys);
  const retentions = await readRetentions(query, checkpointDir, keys);
  const [stored] = (await query(BOUNDS_SQL, [])) as { first: string | null; last: string | null }[];
  const anchor = retainedBefore(retentions.statements, Number(stored.first ?? Number.MAX_SAFE_INTEGER));
  const start = anchor === undefined ? 1 : anchor.seq + 1;
  // A statement whose partition is still stored (a retention stopped before it detached) is one more checkpoint.
  const vouched = retentions.statements
    .filter((s) => s.seq >= start)
    .map((s) => ({ seq: s.seq, headHash: s.headHash, at: s.at }));
  const keep = new Set([...seqs, ...vouched.map((s) => s.seq)]);
  const bounds = segmentBounds(start, Number(stored.last ?? start - 1), page, options.segments ?? VERIFY_SEGMENTS);
  const segments = bounds.map(
    ({ from }, i) =>
      new ChainVerifier(keep, { seq: from, prevHash: i > 0 ? null : (anchor?.headHash ?? GENESIS_HASH) }),
  );
  const failures = await Promise.all(
    segments.map((segment, i) => verifySegment(query, segment, bounds[i].to, page, i < bounds.length - 1)),
  );
  const { checkpoints, invalid } = await reading;
  // In order: a segment's own failure, else whether the next one follows it.
  const verifier = segments[0];
  let failure = failures[0];
  for (let i = 1; i < segments.length && failure === undefined; i++) {
    failure = verifier.follow(segments[i]) ?? failures[i];
  }
  const atAnchor = checkpoints.find((c) => c.seq === anchor?.seq);
  if (failure === undefined && atAnchor !== undefined && atAnchor.headHash !== anchor?.headHash) {
    failure = { seq: atAnchor.seq, reason: 'the retention statement differs from the signed checkpoint' };
  }
  failure ??= verifier.finish([...checkpoints.filter((c) => c.seq >= start), ...vouched]);
  if (failure === undefined && invalid.length > 0) {
    failure = { seq: verifier.head.seq, reason: `checkpoint signature invalid: ${invalid[0]}` };
  }
  if (failure === undefined && retentions.invalid.length > 0) {
    failure = { seq: verifier.head.seq, reason: `retention statement invalid: ${retentions.invalid[0]}` };
  }
  if (failure?.seq === start && failure.reason === 'missing record' && retentions.unreadable) {
    failure = {
      ...failure,
      reason: 'missing record (this login may not read audit_retention, which vouches for months taken out)',
    };
  }
  const latest = checkpoints.reduce<{ seq: number; at: string } | null>(
    (best, c) => (best === null || c.seq > best.seq ? { seq: c.seq, at: c.at } : best),
    null,
  );
  let signed: SignedHead | undefined;
  let unverified: string | undefined;
  if (failure === undefined) {
    // The signed head stored with the log; on a log from before it, the folder's head file.
    const cover =
      (await coverStoredHead(verifier, await reading, checkpointDir, {
        query,
        keys,
        from: start,
        extend: (to) => verifySegment(query, verifier, to, page, true),
      })) ?? (await coverHead(query, verifier, checkpointDir, keys, latest?.seq ?? 0, page, options));
    ({ failure, unverified, signed } = cover);
  }
  const outcome: VerifyOutcome =
    failure !== undefined ? 'broken' : unverified !== undefined ? 'unverifiable' : 'intact';
  return {
    ok: outcome === 'intact',
    outcome,
    unverified,
    signedHead: signed === undefined ? null : { seq: signed.seq, at: signed.at, state: signed.state },
    retained: anchor === undefined ? null : { seq: anchor.seq, at: anchor.at, partition: anchor.partition },
    verified: verifier.verified,
    head: verifier.head,
    checkpoints: checkpoints.length,
    latestCheckpoint: latest,
    failure,
    invalidCheckpoints: invalid,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** Consecutive seq ranges from `first`; the last is open, for records appended meanwhile. */
function segmentBounds(first: number, last: number, page: number, segments: number): { from: number; to: number }[] {
  const records = Math.max(0, last - first + 1);
  const count = records < segments * page ? 1 : segments;
  const size = Math.ceil(records / count);
  return Array.from({ length: count }, (_, i) => ({
    from: first + i * size,
    to: i === count - 1 ? Number.MAX_SAFE_INTEGER : first + (i + 1) * size - 1,
  }));
}

/** Reads seqs from the verifier's head up to `to` page by page; the first failure, if any. */
async function verifySegment(
  query: RunQuery,
  verifier: ChainVerifier,
  to: number,
  page: number,
  bounded: boolean,
): Promise<VerifyFailure | undefined> {
  for (;;) {
    const rows = (await query(PAGE_SQL, [verifier.head.seq, to, page])) as AuditRow[];
    for (const row of rows) {
      const failure = verifier.push(toStored(row));
      if (failure !== undefined) return failure;
    }
    if (rows.length < page) return bounded ? verifier.reaches(to) : undefined;
  }
}

function toStored(row: AuditRow): StoredRow {
  return {
    seq: Number(row.seq),
    canonical: row.canonical,
    prevHash: row.prev_hash,
    recordHash: row.record_hash,
    consistent: row.consistent === true,
  };
}

interface HeadCover {
  failure?: VerifyFailure;
  unverified?: string;
  signed?: SignedHead;
}

/**
 * After the rows: does a signature cover the newest one? The head file is
 * read after the rows, so on a running gateway it is at or past them: the
 * records it vouches for beyond them are read too. Records past it are
 * waited for a moment (a batch being signed); past that, a gateway that
 * stopped cleanly cannot have written them, and otherwise they are unsigned.
 */
async function coverHead(
  query: RunQuery,
  verifier: ChainVerifier,
  dir: string | undefined,
  keys: JSONWebKeySet,
  latestCheckpoint: number,
  page: number,
  options: VerifyOptions,
): Promise<HeadCover> {
  const deadline = Date.now() + (options.signedHeadWaitMs ?? SIGNED_HEAD_WAIT_MS);
  for (;;) {
    const read = dir === undefined ? ({ found: false } as const) : await readHead(dir, keys);
    if (read.found && 'invalid' in read) return { failure: { seq: verifier.head.seq, reason: read.invalid } };
    const signed = read.found ? read.head : undefined;
    const head = verifier.head;
    if (signed === undefined) {
      if (head.seq === 0 || head.seq === latestCheckpoint) return {};
      return { unverified: `no signature covers the head (seq ${head.seq}): there is no signed head` };
    }
    if (signed.seq >= head.seq) {
      const failure = await verifySegment(query, verifier, signed.seq, page, true);
      if (failure !== undefined) {
        return { signed, failure: { ...failure, reason: `truncated: the signed head vouches for seq ${signed.seq}` } };
      }
      return verifier.head.hash === signed.headHash
        ? { signed }
        : { signed, failure: { seq: signed.seq, reason: 'differs from the signed head' } };
    }
    const [row] = (await query(HASH_AT_SQL, [signed.seq])) as { record_hash: string }[];
    if (row?.record_hash !== signed.headHash) {
      return { signed, failure: { seq: signed.seq, reason: 'differs from the signed head' } };
    }
    if (Date.now() >= deadline) {
      const unsigned = head.seq - signed.seq;
      if (signed.state === 'stopped') {
        return {
          signed,
          failure: { seq: signed.seq + 1, reason: `added after the gateway's final signed head (seq ${signed.seq})` },
        };
      }
      return { signed, unverified: `${unsigned} record(s) after seq ${signed.seq} are not covered by a signature` };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Checks the records after `from` up to `to` chain from it: records a restarting sequencer may take on. */
export async function verifyRange(query: RunQuery, from: ChainHead, to: number): Promise<VerifyFailure | undefined> {
  const verifier = new ChainVerifier(new Set(), { seq: from.seq + 1, prevHash: from.hash });
  return verifySegment(query, verifier, to, PAGE, true);
}
