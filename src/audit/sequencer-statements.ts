import type { PreparedStatement } from '../platform/database/sql';
import { ROW_CONSISTENT_SQL } from './audit-verify';
import type { NewestRow } from './head-recovery';

/** The sequencer's statements: what it reads before each batch, and how a batch is written. */

/** Any constant: the advisory lock that makes one appender at a time, across gateway nodes. */
const SEQUENCER_LOCK = 7_201_883_001;

// One round trip before each batch: the stored head, and what says whether it is one a node signed. The
// stored signed head and the hashes at this node's own heads are looked up only when the stored head is not
// the one this node expects ($3): a single node, or the node that committed last, reads no more than that.
export const OBSERVE: PreparedStatement = {
  name: 'audit.observe',
  text: `SELECT e.seq, e.record_hash AS "hash", e.prev_hash AS "prevHash", e.canonical, ${ROW_CONSISTENT_SQL} AS consistent,
           (SELECT coalesce(max(seq), 0) FROM audit_checkpoint) AS "checkpoint",
           CASE WHEN e.record_hash IS DISTINCT FROM $3::text THEN (SELECT jws FROM audit_head) END AS "sharedJws",
           CASE WHEN e.record_hash IS DISTINCT FROM $3::text
             THEN (SELECT record_hash FROM audit_event WHERE seq = $1) END AS "expectedHash",
           CASE WHEN e.record_hash IS DISTINCT FROM $3::text
             THEN (SELECT record_hash FROM audit_event WHERE seq = $2) END AS "pendingHash"
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (SELECT * FROM audit_event ORDER BY seq DESC LIMIT 1) AS e ON true`,
};
// Sent with BEGIN, in one round trip. The application's login may only INSERT and SELECT here.
export const PROLOGUE = `SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})`;

export interface ObservedRow extends NewestRow {
  sharedJws: string | null;
  checkpoint: string;
  expectedHash: string | null;
  pendingHash: string | null;
}
// The records and the batch's signed head, in one statement: the head is stored exactly when its records are.
export const INSERT: PreparedStatement = {
  name: 'audit.insert',
  text: `WITH appended AS (
           INSERT INTO audit_event (seq, recorded_at, kind, organisation, citizen_pseudonym, product, purpose, decision,
             correlation_id, payload, prev_hash, record_hash, canonical)
           SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[])
         )
         INSERT INTO audit_head (id, seq, head_hash, state, node, signed_at, jws)
         VALUES (true, $14, $15, 'appending', $16, $17, $18)
         ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, head_hash = EXCLUDED.head_hash, state = EXCLUDED.state,
           node = EXCLUDED.node, signed_at = EXCLUDED.signed_at, jws = EXCLUDED.jws`,
};
