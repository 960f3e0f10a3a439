import { Injectable } from '@nestjs/common';
import { ReadReplica } from '../platform/database/read-replica';
import { Sql, type PreparedStatement } from '../platform/database/sql';
import type { ExportRow } from './audit-jsonl';
import type { AuditPayload } from './audit-chain';
import { disclosedSql } from './disclosure';

export interface AuditFilter {
  citizenPseudonym?: string;
  organisation?: string;
  product?: string;
  purpose?: string;
  decision?: string;
  /** The lawful basis an exchange's record names (`details.basis`). */
  basis?: 'consent' | 'statute';
  from?: Date;
  to?: Date;
}

export interface AuditEventRow {
  seq: string;
  payload: AuditPayload;
}

// One statement for every combination of filters; each condition drops out when its parameter is null.
const SEARCH: PreparedStatement = {
  name: 'audit.search',
  text: `SELECT seq, payload FROM audit_event
         WHERE seq > $1
           AND ($2::text IS NULL OR citizen_pseudonym = $2)
           AND ($3::text IS NULL OR organisation = $3)
           AND ($4::text IS NULL OR product = $4)
           AND ($5::text IS NULL OR purpose = $5)
           AND ($6::text IS NULL OR decision = $6)
           AND ($7::timestamptz IS NULL OR recorded_at >= $7)
           AND ($8::timestamptz IS NULL OR recorded_at < $8)
           AND ($9::text IS NULL OR payload->'details'->>'basis' = $9)
         ORDER BY seq LIMIT $10`,
};
const CHAIN: PreparedStatement = {
  name: 'audit.chain',
  text: `SELECT seq, prev_hash, record_hash, canonical FROM audit_event
         WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
};

/**
 * The records a citizen's access log shows: exchanges, the notices of a
 * change sent to agencies, and the citizen's own looks at their data (a
 * product, or what a pending request would send), written by my-data.
 */
export type AccessKind = 'exchange.outcome' | 'change.notified' | 'citizen.view' | 'citizen.preview';

// Newest first along (citizen_pseudonym, seq); a record whose disclosure delay runs past $4 is left out.
const ACCESS_LOG: PreparedStatement = {
  name: 'audit.access-log',
  text: `SELECT a.seq, a.kind, a.recorded_at AS "recordedAt", a.organisation, o.name AS "organisationName", a.product,
                a.purpose, a.decision, a.payload->'details'->>'basis' AS basis,
                a.payload->'details'->>'legalReference' AS "legalReference",
                a.payload->'details'->>'caseRef' AS "caseRef",
                a.payload->'details'->>'changeId' AS "changeId", a.payload->>'reason' AS reason,
                a.payload->'details'->'fields' AS fields
         FROM audit_event a LEFT JOIN organisation o ON o.id = a.organisation
         WHERE a.citizen_pseudonym = $1 AND a.seq < $2
           AND a.kind IN ('exchange.outcome', 'change.notified', 'citizen.view', 'citizen.preview')
           AND ${disclosedSql('a', '$4::timestamptz')}
         ORDER BY a.seq DESC LIMIT $3`,
};

export interface AccessRow {
  seq: string;
  kind: AccessKind;
  recordedAt: Date;
  organisation: string;
  organisationName: string | null;
  product: string;
  /** Null for a citizen's own view of a product: it has no purpose. */
  purpose: string | null;
  decision: string;
  basis: string | null;
  legalReference: string | null;
  caseRef: string | null;
  /** The change a notice told of. */
  changeId: string | null;
  /** Why it was refused, for a refusal. */
  reason: string | null;
  /** The fields released, for an exchange that released data. */
  fields: unknown;
}

@Injectable()
export class AuditQueryRepository {
  constructor(
    readonly sql: Sql,
    private readonly replica: ReadReplica,
  ) {}

  /**
   * Records after `afterSeq` up to `upTo` (a head read on the primary), as
   * hashed: for the verifiable export. Read from the replica; a page it does
   * not hold yet (it lags) is read from the primary, so the export is whole.
   */
  async chain(afterSeq: number, upTo: number, limit: number): Promise<ExportRow[]> {
    const rows = await this.replica.query<ExportRow & Record<string, unknown>>(CHAIN, [afterSeq, upTo, limit]);
    const wanted = Math.min(limit, upTo - afterSeq);
    if (rows.length >= wanted || !this.replica.configured) return rows;
    return this.sql.query<ExportRow & Record<string, unknown>>(CHAIN, [afterSeq, upTo, limit]);
  }

  /**
   * Keyset pagination: the events after `afterSeq`, in seq order. `lagging`
   * (the officers' searches and CSV exports) reads the replica, which may be
   * a moment behind; otherwise the primary.
   */
  search(filter: AuditFilter, afterSeq: number, limit: number, lagging = false): Promise<AuditEventRow[]> {
    const from = lagging ? this.replica : this.sql;
    return from.query<AuditEventRow & Record<string, unknown>>(SEARCH, [
      afterSeq,
      filter.citizenPseudonym ?? null,
      filter.organisation ?? null,
      filter.product ?? null,
      filter.purpose ?? null,
      filter.decision ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.basis ?? null,
      limit,
    ]);
  }

  /** The citizen's exchanges and change notices before `beforeSeq`, newest first, as disclosed at `now`. */
  accessLog(pseudonym: string, beforeSeq: number, limit: number, now: Date): Promise<AccessRow[]> {
    return this.sql.query<AccessRow & Record<string, unknown>>(ACCESS_LOG, [pseudonym, beforeSeq, limit, now]);
  }
}
