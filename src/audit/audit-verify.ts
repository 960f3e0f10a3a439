import type { JSONWebKeySet } from 'jose';
import { ChainVerifier, GENESIS_HASH, type StoredRow, type VerifyFailure } from './audit-chain';
import { checkpointSeqs, readCheckpoints } from './checkpoints';
import { readHead, type ChainHead, type SignedHead } from './signed-head';

const PAGE = 10_000;
/**
 * Segments verified at once, each on its own connection: the database checks
 * some pages while this process hashes another (1M records on 2 cores: 94–102k
 * records/s with two, 127k with three, 121k with four).
 */
export const VERIFY_SEGMENTS = 3;
const LAST_SQL = 'SELECT max(seq) AS last FROM audit_event';
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
 */
export async function verifyAuditLog(
  query: RunQuery,
  checkpointDir: string,
  keys: JSONWebKeySet,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = process.hrtime.bigint();
  const page = options.page ?? PAGE;
  // The files' names say which hashes to keep; their signatures are checked meanwhile.
  const seqs = await checkpointSeqs(checkpointDir);
  const reading = readCheckpoints(checkpointDir, keys);
  // Awaited below; until then a failure must not go unhandled.
  reading.catch(() => undefined);
  const [{ last }] = (await query(LAST_SQL, [])) as { last: string | null }[];
  const bounds = segmentBounds(Number(last ?? 0), page, options.segments ?? VERIFY_SEGMENTS);
  const segments = bounds.map(
    ({ from }) => new ChainVerifier(seqs, { seq: from, prevHash: from === 1 ? GENESIS_HASH : null }),
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
  failure ??= verifier.finish(checkpoints);
  if (failure === undefined && invalid.length > 0) {
    failure = { seq: verifier.head.seq, reason: `checkpoint signature invalid: ${invalid[0]}` };
  }
  const latest = checkpoints.reduce<{ seq: number; at: string } | null>(
    (best, c) => (best === null || c.seq > best.seq ? { seq: c.seq, at: c.at } : best),
    null,
  );
  let signed: SignedHead | undefined;
  let unverified: string | undefined;
  if (failure === undefined) {
    const cover = await coverHead(query, verifier, checkpointDir, keys, latest?.seq ?? 0, page, options);
    ({ failure, unverified, signed } = cover);
  }
  const outcome: VerifyOutcome =
    failure !== undefined ? 'broken' : unverified !== undefined ? 'unverifiable' : 'intact';
  return {
    ok: outcome === 'intact',
    outcome,
    unverified,
    signedHead: signed === undefined ? null : { seq: signed.seq, at: signed.at, state: signed.state },
    verified: verifier.verified,
    head: verifier.head,
    checkpoints: checkpoints.length,
    latestCheckpoint: latest,
    failure,
    invalidCheckpoints: invalid,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** Consecutive seq ranges; the last is open, for records appended meanwhile. */
function segmentBounds(last: number, page: number, segments: number): { from: number; to: number }[] {
  const count = last < segments * page ? 1 : segments;
  const size = Math.ceil(last / count);
  return Array.from({ length: count }, (_, i) => ({
    from: i * size + 1,
    to: i === count - 1 ? Number.MAX_SAFE_INTEGER : (i + 1) * size,
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
  dir: string,
  keys: JSONWebKeySet,
  latestCheckpoint: number,
  page: number,
  options: VerifyOptions,
): Promise<HeadCover> {
  const deadline = Date.now() + (options.signedHeadWaitMs ?? SIGNED_HEAD_WAIT_MS);
  for (;;) {
    const read = await readHead(dir, keys);
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
