import type { JWK } from 'jose';
import { ChainVerifier, type StoredRow, type VerifyFailure } from './audit-chain';
import { readCheckpoints } from './checkpoints';

const PAGE = 10_000;
// The database compares the jsonb payload and the filter columns with the hashed text, so only the text travels.
const PAGE_SQL = `SELECT seq, canonical, prev_hash, record_hash,
    (canonical::jsonb = payload AND (payload->>'seq')::bigint = seq AND kind = payload->>'kind'
      AND organisation IS NOT DISTINCT FROM payload->>'organisation'
      AND citizen_pseudonym IS NOT DISTINCT FROM payload->>'citizen'
      AND product IS NOT DISTINCT FROM payload->>'product'
      AND purpose IS NOT DISTINCT FROM payload->>'purpose'
      AND decision IS NOT DISTINCT FROM payload->>'decision'
      AND correlation_id IS NOT DISTINCT FROM payload->>'correlationId') AS consistent
  FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`;

export interface AuditRow {
  seq: string;
  canonical: string;
  prev_hash: string;
  record_hash: string;
  consistent: boolean | null;
}

export type RunQuery = (text: string, values: unknown[]) => Promise<AuditRow[]>;

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
 * directory: every record in seq order (keyset pages, flat memory), then the
 * signed checkpoints. Reports the first bad seq.
 */
export async function verifyAuditLog(query: RunQuery, checkpointDir: string, publicJwk: JWK): Promise<VerifyReport> {
  const started = process.hrtime.bigint();
  const { checkpoints, invalid } = await readCheckpoints(checkpointDir, publicJwk);
  const verifier = new ChainVerifier(new Set(checkpoints.map((c) => c.seq)));
  let failure: VerifyFailure | undefined;
  let after = 0;
  for (;;) {
    const rows = await query(PAGE_SQL, [after]);
    for (const row of rows) {
      failure = verifier.push(toStored(row));
      if (failure !== undefined) break;
    }
    if (failure !== undefined || rows.length < PAGE) break;
    after = Number(rows[rows.length - 1].seq);
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

function toStored(row: AuditRow): StoredRow {
  return {
    seq: Number(row.seq),
    canonical: row.canonical,
    prevHash: row.prev_hash,
    recordHash: row.record_hash,
    consistent: row.consistent === true,
  };
}
