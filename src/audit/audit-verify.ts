import type { JWK } from 'jose';
import { ChainVerifier, GENESIS_HASH, type StoredRow, type VerifyFailure } from './audit-chain';
import { checkpointSeqs, readCheckpoints } from './checkpoints';

const PAGE = 10_000;
/**
 * Segments verified at once, each on its own connection: the database checks
 * some pages while this process hashes another (1M records on 2 cores: 94–102k
 * records/s with two, 127k with three, 121k with four).
 */
export const VERIFY_SEGMENTS = 3;
const LAST_SQL = 'SELECT max(seq) AS last FROM audit_event';
// The database compares the jsonb payload and the filter columns with the hashed text, so only the text travels.
const PAGE_SQL = `SELECT seq, canonical, prev_hash, record_hash,
    (canonical::jsonb = payload AND (payload->>'seq')::bigint = seq AND kind = payload->>'kind'
      AND organisation IS NOT DISTINCT FROM payload->>'organisation'
      AND citizen_pseudonym IS NOT DISTINCT FROM payload->>'citizen'
      AND product IS NOT DISTINCT FROM payload->>'product'
      AND purpose IS NOT DISTINCT FROM payload->>'purpose'
      AND decision IS NOT DISTINCT FROM payload->>'decision'
      AND correlation_id IS NOT DISTINCT FROM payload->>'correlationId') AS consistent
  FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`;

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
}

export interface VerifyReport {
  ok: boolean;
  verified: number;
  head: { seq: number; hash: string };
  checkpoints: number;
  latestCheckpoint: { seq: number; at: string } | null;
  failure?: VerifyFailure;
  invalidCheckpoints: string[];
  seconds: number;
}

/**
 * Verifies the whole audit log from the database and the checkpoint
 * directory: every record in seq order (keyset pages, flat memory; the chain
 * cut into segments read at once and joined in order), then the signed
 * checkpoints. Reports the first bad seq.
 */
export async function verifyAuditLog(
  query: RunQuery,
  checkpointDir: string,
  publicJwk: JWK,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = process.hrtime.bigint();
  const page = options.page ?? PAGE;
  // The files' names say which hashes to keep; their signatures are checked meanwhile.
  const seqs = await checkpointSeqs(checkpointDir);
  const reading = readCheckpoints(checkpointDir, publicJwk);
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
  return {
    ok: failure === undefined,
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
