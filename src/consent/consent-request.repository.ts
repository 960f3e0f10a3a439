import { Injectable } from '@nestjs/common';
import { Sql, type PreparedStatement, type SqlTransaction } from '../platform/database/sql';
import type { ConsentMode, ConsentProduct } from './consent';

export type ConsentRequestStatus = 'pending' | 'approved' | 'rejected';

export interface ConsentRequest {
  id: string;
  requester: string;
  citizen: string;
  purpose: string;
  products: ConsentProduct[];
  validUntil: Date | null;
  mode: ConsentMode;
  /** The agency asks to be kept up to date; the citizen decides when approving. */
  keepUpToDate: boolean;
  message: string | null;
  status: ConsentRequestStatus;
  createdAt: Date;
  decidedAt: Date | null;
  consentId: string | null;
}

interface RequestRow {
  id: string;
  requester: string;
  citizen: string;
  purpose: string;
  products: ConsentProduct[];
  valid_until: Date | null;
  mode: ConsentMode;
  keep_up_to_date: boolean;
  message: string | null;
  status: ConsentRequestStatus;
  created_at: Date;
  decided_at: Date | null;
  consent_id: string | null;
}

const COLUMNS =
  'id, requester, citizen, purpose, products, valid_until, mode, keep_up_to_date, message, status, created_at, decided_at, consent_id';

const INSERT: PreparedStatement = {
  name: 'consent-request.insert',
  text: `INSERT INTO consent_request (id, requester, citizen, purpose, products, valid_until, mode, message, status,
           created_at, keep_up_to_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10)`,
};
const FIND_FOR_REQUESTER: PreparedStatement = {
  name: 'consent-request.find-for-requester',
  text: `SELECT ${COLUMNS} FROM consent_request WHERE id = $1 AND requester = $2`,
};
const LOCK_FOR_CITIZEN: PreparedStatement = {
  name: 'consent-request.lock-for-citizen',
  text: `SELECT ${COLUMNS} FROM consent_request WHERE id = $1 AND citizen = $2 FOR UPDATE`,
};
const LIST_FOR_CITIZEN: PreparedStatement = {
  name: 'consent-request.list-for-citizen',
  text: `SELECT ${COLUMNS} FROM consent_request WHERE citizen = $1
         ORDER BY (status = 'pending') DESC, created_at DESC LIMIT 500`,
};
const DECIDE: PreparedStatement = {
  name: 'consent-request.decide',
  text: 'UPDATE consent_request SET status = $2, decided_at = $3, consent_id = $4 WHERE id = $1',
};
const FIND_KEY: PreparedStatement = {
  name: 'idempotency.find',
  text: 'SELECT request_hash AS "requestHash", status, body FROM idempotency_key WHERE organisation = $1 AND key = $2',
};
const SAVE_KEY: PreparedStatement = {
  name: 'idempotency.save',
  text: `INSERT INTO idempotency_key (organisation, key, request_hash, status, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organisation, key) DO NOTHING RETURNING 1 AS saved`,
};

export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: unknown;
}

@Injectable()
export class ConsentRequestRepository {
  constructor(private readonly sql: Sql) {}

  async insert(tx: SqlTransaction, request: ConsentRequest): Promise<void> {
    const r = request;
    await tx.query(INSERT, [
      r.id,
      r.requester,
      r.citizen,
      r.purpose,
      JSON.stringify(r.products),
      r.validUntil,
      r.mode,
      r.message,
      r.createdAt,
      r.keepUpToDate,
    ]);
  }

  /** Only the organisation that asked sees its request. */
  async findForRequester(id: string, requester: string): Promise<ConsentRequest | undefined> {
    return (await this.sql.query<RequestRow>(FIND_FOR_REQUESTER, [id, requester])).map(fromRow)[0];
  }

  /** Only the citizen asked can decide; locked until the decision commits. */
  async lockForCitizen(tx: SqlTransaction, id: string, citizen: string): Promise<ConsentRequest | undefined> {
    return (await tx.query<RequestRow>(LOCK_FOR_CITIZEN, [id, citizen])).map(fromRow)[0];
  }

  async listForCitizen(citizen: string): Promise<ConsentRequest[]> {
    return (await this.sql.query<RequestRow>(LIST_FOR_CITIZEN, [citizen])).map(fromRow);
  }

  async decide(
    tx: SqlTransaction,
    id: string,
    decision: { status: 'approved' | 'rejected'; at: Date; consentId: string | null },
  ): Promise<void> {
    await tx.query(DECIDE, [id, decision.status, decision.at, decision.consentId]);
  }

  async findAnswer(organisation: string, key: string): Promise<StoredAnswer | undefined> {
    return (await this.sql.query<StoredAnswer & Record<string, unknown>>(FIND_KEY, [organisation, key]))[0];
  }

  /** Saves the first answer to an Idempotency-Key; false when another request saved one first. */
  async saveAnswer(tx: SqlTransaction, organisation: string, key: string, answer: StoredAnswer): Promise<boolean> {
    const rows = await tx.query(SAVE_KEY, [
      organisation,
      key,
      answer.requestHash,
      answer.status,
      JSON.stringify(answer.body),
    ]);
    return rows.length === 1;
  }
}

function fromRow(row: RequestRow): ConsentRequest {
  return {
    id: row.id,
    requester: row.requester,
    citizen: row.citizen,
    purpose: row.purpose,
    products: row.products,
    validUntil: row.valid_until,
    mode: row.mode,
    keepUpToDate: row.keep_up_to_date,
    message: row.message,
    status: row.status,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    consentId: row.consent_id,
  };
}
