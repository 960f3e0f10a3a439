import { Injectable } from '@nestjs/common';
import { Sql, type PreparedStatement, type SqlTransaction } from '../platform/database/sql';
import type { ConsentMode, ConsentProduct, ConsentRecord, ConsentStatus } from './consent';
import { inForceSql } from './in-force';

/** A consent record as its columns come back. */
export interface ConsentRow {
  id: string;
  citizen: string;
  requester: string;
  purpose: string;
  products: ConsentProduct[];
  valid_from: Date;
  valid_until: Date;
  mode: ConsentMode;
  keep_up_to_date: boolean;
  status: ConsentStatus;
  created_at: Date;
  decided_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  predecessor_id: string | null;
  request_id: string | null;
  receipt: string;
  successor_id: string | null;
  use_count: number | null;
  last_used_at: Date | null;
}

/** A record read back, with what lives beside it. */
export interface StoredConsent {
  record: ConsentRecord;
  receipt: string;
  successorId: string | null;
  useCount: number;
  lastUsedAt: Date | null;
}

const COLUMNS = `c.id, c.citizen, c.requester, c.purpose, c.products, c.valid_from, c.valid_until, c.mode,
  c.keep_up_to_date, c.status,
  c.created_at, c.decided_at, c.revoked_at, c.revoked_by, c.predecessor_id, c.request_id, c.receipt,
  s.id AS successor_id, u.use_count, u.last_used_at`;
// A revoked or expired record reports the use of the active record it ended.
const JOINS = `LEFT JOIN consent s ON s.predecessor_id = c.id
  LEFT JOIN consent_use u ON u.consent_id = CASE WHEN c.status IN ('revoked', 'expired') THEN c.predecessor_id ELSE c.id END`;

const INSERT: PreparedStatement = {
  name: 'consent.insert',
  text: `INSERT INTO consent (id, citizen, requester, purpose, products, valid_from, valid_until, mode, status,
           created_at, decided_at, revoked_at, revoked_by, predecessor_id, request_id, receipt, keep_up_to_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
};
const INSERT_GRANTS: PreparedStatement = {
  name: 'consent.insert-grants',
  text: `INSERT INTO consent_grant (consent_id, citizen, requester, purpose, product, valid_from, valid_until,
           keep_up_to_date)
         SELECT $1, $2, $3, $4, product, $6, $7, $8 FROM unnest($5::text[]) AS product`,
};
const DELETE_GRANTS: PreparedStatement = {
  name: 'consent.delete-grants',
  text: 'DELETE FROM consent_grant WHERE consent_id = $1',
};
/**
 * A consent's gate: an advisory lock in the two-key space (apart from every
 * single-key lock), keyed by the consent. Exchanges pass it shared, changes of
 * the consent exclusively. Unlike row locks, PostgreSQL queues advisory
 * requests fairly: once a revocation waits, later exchanges wait behind it,
 * so a steady stream of exchanges cannot starve it.
 */
const GATE_CLASS = 1_885_434_739;
/** The gate as an SQL expression, for the consent id in parameter `param`. */
export function consentGate(mode: 'shared' | 'exclusive', param: string): string {
  const lock = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  return `${lock}(${GATE_CLASS}, hashtext(${param}::text))`;
}
const CONSENT_GATE_EXCLUSIVE: PreparedStatement = {
  name: 'consent.gate-exclusive',
  text: `SELECT ${consentGate('exclusive', '$1')}`,
};
const LOCK_GRANTS: PreparedStatement = {
  name: 'consent.lock-grants',
  text: 'SELECT 1 FROM consent_grant WHERE consent_id = $1 FOR UPDATE',
};
const FIND_OWN: PreparedStatement = {
  name: 'consent.find-own',
  text: `SELECT ${COLUMNS} FROM consent c ${JOINS} WHERE c.id = $1 AND c.citizen = $2`,
};
const LOCK_OWN: PreparedStatement = {
  name: 'consent.lock-own',
  // NO KEY UPDATE: exchanges counting a use take KEY SHARE on the record (the consent_use foreign key)
  // and must not wait on it.
  text: `SELECT ${COLUMNS} FROM consent c ${JOINS} WHERE c.id = $1 AND c.citizen = $2 FOR NO KEY UPDATE OF c`,
};
const LIST_CURRENT: PreparedStatement = {
  name: 'consent.list-current',
  text: `SELECT ${COLUMNS} FROM consent c ${JOINS}
         WHERE c.citizen = $1 AND s.id IS NULL ORDER BY c.created_at DESC LIMIT 500`,
};
/** The newest grant in force for one citizen, requester, purpose and product at `at`: one index-only probe. */
function grantInForce(citizen: string, requester: string, purpose: string, product: string, at: string): string {
  return `SELECT consent_id AS "consentId" FROM consent_grant
          WHERE citizen = ${citizen} AND requester = ${requester} AND purpose = ${purpose} AND product = ${product}
            AND ${inForceSql('consent_grant', at)}
          ORDER BY valid_until DESC LIMIT 1`;
}
export const CONSENT_LOOKUP: PreparedStatement = {
  name: 'consent.lookup',
  pipelined: true,
  text: grantInForce('$1', '$2', '$3', '$4', '$5'),
  // The lookups of one turn: the same probe for each, in one statement.
  together: {
    name: 'consent.lookup-together',
    text: `SELECT q.i::int AS i, g."consentId"
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
                  WITH ORDINALITY AS q(citizen, requester, purpose, product, at, i)
           CROSS JOIN LATERAL (${grantInForce('q.citizen', 'q.requester', 'q.purpose', 'q.product', 'q.at')}) AS g`,
  },
};
const DUE_FOR_EXPIRY: PreparedStatement = {
  name: 'consent.due-for-expiry',
  text: `SELECT DISTINCT g.consent_id AS "consentId", g.citizen FROM consent_grant g
         WHERE g.valid_until <= $1 LIMIT $2`,
};
/** Consent records and their grants (the lookup index). Prepared statements only. */
@Injectable()
export class ConsentRepository {
  constructor(private readonly sql: Sql) {}

  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.sql.transaction(work);
  }

  /** Inserts a record, and its grants when it is active. */
  async insert(tx: SqlTransaction, record: ConsentRecord, receipt: string): Promise<void> {
    const r = record;
    await tx.query(INSERT, [
      r.id,
      r.citizen,
      r.requester,
      r.purpose,
      JSON.stringify(r.products),
      r.validFrom,
      r.validUntil,
      r.mode,
      r.status,
      r.createdAt,
      r.decidedAt,
      r.revokedAt,
      r.revokedBy,
      r.predecessorId,
      r.requestId,
      receipt,
      r.keepUpToDate,
    ]);
    if (r.status === 'active') {
      const products = r.products.map((p) => p.product);
      await tx.query(INSERT_GRANTS, [
        r.id,
        r.citizen,
        r.requester,
        r.purpose,
        products,
        r.validFrom,
        r.validUntil,
        r.keepUpToDate,
      ]);
    }
  }

  /** The record stops granting anything: its grants leave the lookup index. */
  async withdrawGrants(tx: SqlTransaction, consentId: string): Promise<void> {
    await tx.query(DELETE_GRANTS, [consentId]);
  }

  /** One of the citizen's records; another citizen's is simply not found. */
  async findOwn(id: string, citizen: string): Promise<StoredConsent | undefined> {
    return fromRows(await this.sql.query<ConsentRow>(FIND_OWN, [id, citizen]))[0];
  }

  /**
   * Closes the consent's gate, then locks its grants, in the order an
   * exchange takes them: every change of a consent takes the gate, its grants,
   * then its record, so a revocation and an exchange wait for one another
   * instead of deadlocking, and exchanges in flight finish first.
   */
  async lockGrants(tx: SqlTransaction, consentId: string): Promise<void> {
    await tx.query(CONSENT_GATE_EXCLUSIVE, [consentId]);
    await tx.query(LOCK_GRANTS, [consentId]);
  }

  /** The same, locked until the transaction ends, so two changes of one record are serialised. */
  async lockOwn(tx: SqlTransaction, id: string, citizen: string): Promise<StoredConsent | undefined> {
    return fromRows(await tx.query<ConsentRow>(LOCK_OWN, [id, citizen]))[0];
  }

  /** Each of the citizen's consents as it stands: the records no successor has replaced. */
  async listCurrent(citizen: string): Promise<StoredConsent[]> {
    return fromRows(await this.sql.query<ConsentRow>(LIST_CURRENT, [citizen]));
  }

  /** The consent in force for (citizen, requester, purpose, product) at `at`, if any: one index-only scan. */
  async lookup(
    citizen: string,
    requester: string,
    purpose: string,
    product: string,
    at: Date,
  ): Promise<string | undefined> {
    // As ISO text: pg would format a Date field by field, on every lookup.
    const rows = await this.sql.query<{ consentId: string }>(CONSENT_LOOKUP, [
      citizen,
      requester,
      purpose,
      product,
      at.toISOString(),
    ]);
    return rows[0]?.consentId;
  }

  async dueForExpiry(at: Date, limit: number): Promise<{ consentId: string; citizen: string }[]> {
    return this.sql.query(DUE_FOR_EXPIRY, [at, limit]);
  }
}

function fromRows(rows: ConsentRow[]): StoredConsent[] {
  return rows.map((row) => ({
    record: {
      id: row.id,
      citizen: row.citizen,
      requester: row.requester,
      purpose: row.purpose,
      products: row.products,
      validFrom: row.valid_from,
      validUntil: row.valid_until,
      mode: row.mode,
      keepUpToDate: row.keep_up_to_date,
      status: row.status,
      createdAt: row.created_at,
      decidedAt: row.decided_at,
      revokedAt: row.revoked_at,
      revokedBy: row.revoked_by,
      predecessorId: row.predecessor_id,
      requestId: row.request_id,
    },
    receipt: row.receipt,
    successorId: row.successor_id,
    useCount: row.use_count ?? 0,
    lastUsedAt: row.last_used_at,
  }));
}
