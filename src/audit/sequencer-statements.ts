import type { PreparedStatement } from '../platform/database/sql';
import type { AuditRecord } from './audit-chain';
import { ROW_CONSISTENT_SQL } from './audit-verify';
import type { NewestRow } from './head-recovery';
import type { ChainHead } from './signed-head';

/** The sequencer's statements: what it reads before each batch, and how a batch is written. */

/** Any constant: the advisory lock that makes one appender at a time, across gateway nodes. */
const SEQUENCER_LOCK = 7_201_883_001;

const EVENT_COLUMNS = `seq, recorded_at, kind, organisation, citizen_pseudonym, product, purpose, decision, correlation_id,
  payload, prev_hash, record_hash, canonical`;
// The batch's records, a column each, stamped with the batch's time ($2). The canonical texts come as one text,
// a line each ($12): canonical JSON escapes every control character, so no record holds a line break, and the
// longest value of a record is neither escaped for an array literal here nor unescaped by PostgreSQL. The jsonb
// payload is read from it in the statement, so that the two cannot differ.
const RECORDS = `SELECT u.seq, $2::timestamptz, u.kind, u.organisation, u.citizen, u.product, u.purpose, u.decision,
    u.correlation_id, u.canonical::jsonb, u.prev_hash, u.record_hash, u.canonical
  FROM unnest($1::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
    $10::text[], $11::text[], string_to_array($12::text, E'\\n'))
    AS u(seq, kind, organisation, citizen, product, purpose, decision, correlation_id, prev_hash, record_hash, canonical)`;

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
           INSERT INTO audit_event (${EVENT_COLUMNS}) ${RECORDS}
         )
         INSERT INTO audit_head (id, seq, head_hash, state, node, signed_at, jws)
         VALUES (true, $13, $14, 'appending', $15, $16, $17)
         ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, head_hash = EXCLUDED.head_hash, state = EXCLUDED.state,
           node = EXCLUDED.node, signed_at = EXCLUDED.signed_at, jws = EXCLUDED.jws`,
};

/** INSERT's parameters ($1–$17, APPEND_ON_HEAD's too): the records, a column each, then the batch's signed head. */
export function insertValues(
  records: AuditRecord[],
  signed: { head: ChainHead; node: string; signedAt: Date; jws: string },
): unknown[] {
  const column = <T>(pick: (record: AuditRecord) => T): T[] => records.map(pick);
  // Canonical JSON has no raw line break; one would split a record in two, so it is refused, not sent.
  if (records.some((r) => r.canonical.includes('\n'))) throw new Error('a canonical record holds a line break');
  return [
    column((r) => r.seq),
    signed.signedAt.toISOString(),
    column((r) => r.payload.kind),
    column((r) => r.payload.organisation ?? null),
    column((r) => r.payload.citizen ?? null),
    column((r) => r.payload.product ?? null),
    column((r) => r.payload.purpose ?? null),
    column((r) => r.payload.decision ?? null),
    column((r) => r.payload.correlationId ?? null),
    column((r) => r.prevHash),
    column((r) => r.recordHash),
    records.map((r) => r.canonical).join('\n'),
    signed.head.seq,
    signed.head.hash,
    signed.node,
    signed.signedAt.toISOString(),
    signed.jws,
  ];
}

/**
 * The batch in one statement and its own transaction, when the stored head is
 * the one this node wrote last ($18, $19) and no checkpoint is newer than it
 * knows ($20): the checks OBSERVE answers for checkChainHead, made in the
 * database. The head row is the compare-and-swap: an UPDATE that waited for
 * another appender re-reads the row it then finds and matches no more, so the
 * records are inserted only on the head they were chained to. The advisory
 * lock, taken before that row's lock, keeps this statement and a transaction
 * that observed the head apart. It answers how many records it appended: none
 * means the head was not the one expected, and the batch takes the long way.
 */
export const APPEND_ON_HEAD: PreparedStatement = {
  name: 'audit.append-on-head',
  text: `WITH moved AS (
           UPDATE audit_head h
           SET seq = $13, head_hash = $14, state = 'appending', node = $15, signed_at = $16, jws = $17
           WHERE h.id AND h.seq = $18 AND h.head_hash = $19::text
             AND (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})) AS lock) = 1
             AND EXISTS (
               SELECT 1 FROM (SELECT seq, record_hash, ${ROW_CONSISTENT_SQL} AS consistent
                              FROM audit_event ORDER BY seq DESC LIMIT 1) AS newest
               WHERE newest.seq = $18 AND newest.record_hash = $19::text AND newest.consistent)
             AND (SELECT coalesce(max(seq), 0) FROM audit_checkpoint) = $20
           RETURNING 1
         ), appended AS (
           INSERT INTO audit_event (${EVENT_COLUMNS})
           ${RECORDS} WHERE EXISTS (SELECT 1 FROM moved)
           RETURNING 1
         )
         SELECT count(*)::int AS appended FROM appended`,
};
