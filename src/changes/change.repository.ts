import { Injectable } from '@nestjs/common';
import { changeAudienceSql } from '../consent/change-audience';
import { queueProductChangedSql } from '../notifications/outbox-writer';
import { Sql, type PreparedStatement, type SqlTransaction } from '../platform/database/sql';

/** A change to record: its id if it is new, the citizen by pivot id. */
export interface ChangeRow {
  id: string;
  product: string;
  citizen: string;
  changedAt: Date;
}

/** One notice the fan-out queued. */
export interface Notice {
  changeId: string;
  organisation: string;
  citizen: string;
  product: string;
  purpose: string;
}

const RECORD: PreparedStatement = {
  name: 'changes.record',
  text: `INSERT INTO change_report (id, product, citizen, changed_at, reported_by)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS c, (SELECT $5::text) AS r
         ON CONFLICT (product, citizen, changed_at) DO NOTHING
         RETURNING id`,
};
const FIND_RECORDED: PreparedStatement = {
  name: 'changes.find-recorded',
  text: `SELECT c.id, i.n FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS i(product, citizen, changed_at, n)
         JOIN change_report c ON (c.product, c.citizen, c.changed_at) = (i.product, i.citizen, i.changed_at)`,
};
const FIND_BATCH: PreparedStatement = {
  name: 'changes.find-batch',
  text: 'SELECT request_hash AS "requestHash", change_ids AS "changeIds" FROM change_batch WHERE reported_by = $1 AND key = $2',
};
const SAVE_BATCH: PreparedStatement = {
  name: 'changes.save-batch',
  text: `INSERT INTO change_batch (reported_by, key, request_hash, change_ids) VALUES ($1, $2, $3, $4)
         ON CONFLICT (reported_by, key) DO NOTHING RETURNING 1`,
};
// Oldest first; a change another node is fanning out is skipped, not waited for.
const CLAIM: PreparedStatement = {
  name: 'changes.claim',
  text: `SELECT id, reported_by AS "reportedBy", product, citizen, changed_at AS "changedAt" FROM change_report
         WHERE fanned_out_at IS NULL ORDER BY reported_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
};
// The fan-out of a batch in one statement: the consent context says who may be told, notifications queues.
export const FAN_OUT: PreparedStatement = {
  name: 'changes.fan-out',
  text: `WITH changes AS (SELECT id, product, citizen, changed_at FROM change_report WHERE id = ANY($1::uuid[])),
         audience AS (${changeAudienceSql('changes', { codes: '$2', from: '$3', until: '$4' })}),
         queued AS (${queueProductChangedSql('audience')})
         SELECT change_id AS "changeId", organisation, citizen, product, purpose FROM queued`,
};
const MARK: PreparedStatement = {
  name: 'changes.mark',
  text: `UPDATE change_report r SET fanned_out_at = now(), notified = n.count
         FROM unnest($1::uuid[], $2::int[]) AS n(id, count) WHERE r.id = n.id`,
};
const PENDING: PreparedStatement = {
  name: 'changes.pending',
  text: 'SELECT count(*)::int AS pending FROM change_report WHERE fanned_out_at IS NULL',
};

/** Change reports, their batches' answers, and the fan-out. Prepared statements only. */
@Injectable()
export class ChangeRepository {
  constructor(readonly sql: Sql) {}

  /**
   * Records the changes once each: one already reported for the same
   * (product, citizen, changedAt) keeps its id. Returns the id of each, in order.
   */
  async record(tx: SqlTransaction, reportedBy: string, rows: ChangeRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const inserted = await tx.query<{ id: string }>(RECORD, [
      rows.map((r) => r.id),
      rows.map((r) => r.product),
      rows.map((r) => r.citizen),
      rows.map((r) => r.changedAt),
      reportedBy,
    ]);
    if (inserted.length === rows.length) return rows.map((r) => r.id);
    // Some were reported before (or by a concurrent call): their recorded ids.
    const found = await tx.query<{ id: string; n: string }>(FIND_RECORDED, [
      rows.map((r) => r.product),
      rows.map((r) => r.citizen),
      rows.map((r) => r.changedAt),
    ]);
    const ids = rows.map((r) => r.id);
    for (const { id, n } of found) ids[Number(n) - 1] = id;
    return ids;
  }

  async findBatch(reportedBy: string, key: string): Promise<{ requestHash: string; changeIds: string[] } | undefined> {
    return (await this.sql.query<{ requestHash: string; changeIds: string[] }>(FIND_BATCH, [reportedBy, key]))[0];
  }

  /** False when a concurrent call with the same key committed first. */
  async saveBatch(tx: SqlTransaction, reportedBy: string, key: string, hash: string, ids: string[]): Promise<boolean> {
    return (await tx.query(SAVE_BATCH, [reportedBy, key, hash, ids])).length === 1;
  }

  claim(tx: SqlTransaction, limit: number): Promise<(ChangeRow & { reportedBy: string })[]> {
    return tx.query(CLAIM, [limit]);
  }

  fanOut(tx: SqlTransaction, ids: string[], statute: [string[], (Date | null)[], (Date | null)[]]): Promise<Notice[]> {
    return tx.query<Notice & Record<string, unknown>>(FAN_OUT, [ids, ...statute]);
  }

  async mark(tx: SqlTransaction, ids: string[], counts: number[]): Promise<void> {
    await tx.query(MARK, [ids, counts]);
  }

  async pending(): Promise<number> {
    return (await this.sql.query<{ pending: number }>(PENDING, []))[0]?.pending ?? 0;
  }
}
