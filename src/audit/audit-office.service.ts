import { Inject, Injectable } from '@nestjs/common';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import { Catalogue, type LocalisedTitle } from '../contracts/catalogue';
import { DomainError } from '../platform/errors/domain-error';
import { parseTimestamp } from '../platform/http/timestamp';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';
import type { AuditPayload } from './audit-chain';
import { csvLines } from './audit-csv';
import { jsonlLines } from './audit-jsonl';
import { AUDIT_OPTIONS, AuditLog, type AuditOptions } from './audit-log';
import {
  AuditQueryRepository,
  type AccessKind,
  type AccessRow,
  type AuditEventRow,
  type AuditFilter,
} from './audit-query.repository';
import { verifyAuditLog, type AuditRow, type VerifyReport } from './audit-verify';
import { retentionJwsAt } from './retention-statement';
import { disclosedFrom } from './disclosure';

const NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;
const PIVOT = /^[A-Za-z0-9-]{1,64}$/;

export type FilterQuery = Record<string, string | undefined>;
/** A record as officers read it; `disclosedFrom`, computed when read, is when its citizen sees it (delayed records only). */
export type AuditEvent = AuditPayload & { seq: number; disclosedFrom?: string };
export type Basis = 'consent' | 'statute';

/**
 * What an access-log entry records: an exchange (the organisation asked for
 * the data), a change notice (it was told the data changed), the citizen's
 * own view of a product (`organisation` is the one that holds it), or the
 * citizen's preview of what a pending request would send (`organisation` is
 * the one that asked).
 */
export type AccessEntryKind = 'exchange' | 'change-notice' | 'own-view' | 'own-preview';

const ENTRY_KINDS: Record<AccessKind, AccessEntryKind> = {
  'exchange.outcome': 'exchange',
  'change.notified': 'change-notice',
  'citizen.view': 'own-view',
  'citizen.preview': 'own-preview',
};

export interface AccessEntry {
  seq: number;
  kind: AccessEntryKind;
  when: string;
  organisation: string;
  organisationName: string | null;
  product: string;
  productTitle: LocalisedTitle | null;
  /** Null for the citizen's own view of a product, which has no purpose. */
  purpose: string | null;
  purposeTitle: LocalisedTitle | null;
  decision: string;
  /** Why the organisation could ask: the citizen's consent, or a statute; null for a purpose that does not exist. */
  basis: Basis | null;
  /** The statute's reference, for a statute access. */
  legalReference: string | null;
  /** The organisation's case, when it named one. */
  caseRef: string | null;
  /** The change a notice told of; null for an exchange. */
  changeId: string | null;
  /** Why it was refused (the gateway's reason code), for a refusal or an error. */
  reason: string | null;
  /** The names of the fields released, for an exchange that released data. */
  fields: string[];
}

/** The titles the access log shows beside the codes. */
export interface AccessTitles {
  product(code: string): LocalisedTitle | undefined;
  purpose(code: string): LocalisedTitle | undefined;
}

/** One record of the citizen's access log, as the citizen reads it. */
export function accessEntryOf(row: AccessRow, titles: AccessTitles): AccessEntry {
  const kind = ENTRY_KINDS[row.kind];
  const notice = kind === 'change-notice';
  // A notice names no basis or case of its own: the exchanges that follow it do. A citizen's own look has none.
  const basis = kind === 'exchange' && (row.basis === 'consent' || row.basis === 'statute') ? row.basis : null;
  return {
    seq: Number(row.seq),
    kind,
    when: row.recordedAt.toISOString(),
    organisation: row.organisation,
    organisationName: row.organisationName,
    product: row.product,
    productTitle: titles.product(row.product) ?? null,
    purpose: row.purpose,
    purposeTitle: row.purpose === null ? null : (titles.purpose(row.purpose) ?? null),
    decision: row.decision,
    basis,
    legalReference: basis === 'statute' ? row.legalReference : null,
    caseRef: kind === 'exchange' ? row.caseRef : null,
    changeId: notice ? row.changeId : null,
    reason: row.decision === 'allow' ? null : row.reason,
    fields: Array.isArray(row.fields) ? row.fields.filter((field): field is string => typeof field === 'string') : [],
  };
}

/** Reads the filters of `GET /v1/audit/events` (see README, section 'Routes'); a bad one answers 400 naming it. */
export function parseFilter(query: FilterQuery, pseudonymOf: (pivot: string) => string): AuditFilter {
  const bad = (name: string): DomainError =>
    new DomainError('invalid-request', 'The audit filter is not valid', {
      extensions: { errors: [{ pointer: `query:${name}`, message: 'is invalid' }] },
    });
  const filter: AuditFilter = {};
  const text = (name: 'org' | 'product' | 'purpose' | 'decision' | 'basis', pattern: RegExp): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    if (!pattern.test(value)) throw bad(name);
    return value;
  };
  const date = (name: 'from' | 'to'): Date | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    // RFC 3339 (or a date alone, midnight UTC): `new Date` took `1`, `March 7` and local times of no stated zone.
    const parsed = parseTimestamp(value, { allowDate: true });
    if (parsed === undefined) throw bad(name);
    return parsed;
  };
  if (query.citizen !== undefined && query.citizen !== '') {
    if (!PIVOT.test(query.citizen)) throw bad('citizen');
    filter.citizenPseudonym = pseudonymOf(query.citizen);
  }
  filter.organisation = text('org', NAME);
  filter.product = text('product', NAME);
  filter.purpose = text('purpose', NAME);
  filter.decision = text('decision', /^(allow|deny|error)$/);
  filter.basis = text('basis', /^(consent|statute)$/) as Basis | undefined;
  filter.from = date('from');
  filter.to = date('to');
  return filter;
}

/** A record for officers: as stored, with when its citizen sees it when it has a disclosure delay. */
export function eventOf(row: AuditEventRow): AuditEvent {
  const from = disclosedFrom(row.payload.recordedAt, row.payload.details?.disclosureDelayDays);
  return { ...row.payload, seq: Number(row.seq), ...(from === undefined ? {} : { disclosedFrom: from.toISOString() }) };
}

/** A whole number from a query parameter, or 400 naming it. */
export function integerParam(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,15}$/.test(value) || Number(value) > max) {
    throw new DomainError('invalid-request', 'The audit query is not valid', {
      extensions: { errors: [{ pointer: `query:${name}`, message: `must be an integer up to ${max}` }] },
    });
  }
  return Number(value);
}

/**
 * What privacy officers and citizens may read of the audit log, for the API
 * and the portal alike. Every officer's query is itself audited first.
 */
@Injectable()
export class AuditOffice {
  constructor(
    private readonly audit: AuditLog,
    private readonly queries: AuditQueryRepository,
    private readonly catalogue: Catalogue,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
  ) {}

  filterOf(query: FilterQuery): AuditFilter {
    return parseFilter(query, (pivot) => this.audit.pseudonymOf(pivot));
  }

  /** Keyset pagination by seq: `cursor` is the last seq seen. */
  async search(
    officer: CitizenPrincipal,
    filter: AuditFilter,
    cursor: number,
    limit: number,
  ): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
    await this.recordQuery(officer, 'events', filter);
    // A search may read the replica: it can be a moment behind the chain, never ahead.
    const rows = await this.queries.search(filter, cursor, limit, true);
    return {
      events: rows.map(eventOf),
      nextCursor: rows.length === limit ? rows[rows.length - 1].seq : null,
    };
  }

  /** One event by its seq, or 404. */
  async event(officer: CitizenPrincipal, seq: number): Promise<AuditEvent> {
    await this.recordQuery(officer, 'event', {}, { seq });
    const [row] = await this.queries.search({}, seq - 1, 1);
    if (row === undefined || Number(row.seq) !== seq) throw new DomainError('not-found');
    return eventOf(row);
  }

  /** The matching events as CSV text, page by page. */
  async export(officer: CitizenPrincipal, filter: AuditFilter): Promise<AsyncGenerator<string>> {
    await this.recordQuery(officer, 'export', filter);
    return csvLines((after, size) => this.queries.search(filter, after, size, true));
  }

  /**
   * The whole log up to the last signed head, as JSON lines with hashes and
   * that head's signature: what a third party verifies with
   * `audit verify-export`. Not while appends are stopped: the head is then
   * in doubt.
   */
  async exportVerifiable(officer: CitizenPrincipal): Promise<AsyncGenerator<string>> {
    await this.recordQuery(officer, 'export', {}, { format: 'jsonl' });
    const head = this.audit.signedHead;
    if (head === undefined) throw new DomainError('audit-unavailable', undefined, { retryAfterSeconds: 1 });
    return jsonlLines((after, upTo, size) => this.queries.chain(after, upTo, size), head, {
      retainedFrom: (first) =>
        retentionJwsAt((text, values) => this.queries.sql.raw(text, values), this.options.checkpointDir, first - 1),
    });
  }

  async integrity(officer: CitizenPrincipal): Promise<VerifyReport> {
    await this.recordQuery(officer, 'integrity', {});
    return verifyAuditLog((text, values) => this.queries.sql.raw<AuditRow>(text, values), this.options.checkpointDir, {
      keys: [this.key.publicJwk],
    });
  }

  /**
   * Every exchange that touched the citizen, every notice of a change sent
   * to an organisation, and the citizen's own looks at their data, newest
   * first, with names from the contracts and the registry; an access whose
   * disclosure delay has not run out at `now` is not there yet.
   */
  async accessLog(citizen: string, beforeSeq: number, limit: number, now = new Date()): Promise<AccessEntry[]> {
    const rows = await this.queries.accessLog(this.audit.pseudonymOf(citizen), beforeSeq, limit, now);
    const titles: AccessTitles = {
      product: (code) => this.catalogue.latest(code)?.title,
      purpose: (code) => this.catalogue.purposes.get(code)?.title,
    };
    return rows.map((row) => accessEntryOf(row, titles));
  }

  private async recordQuery(
    officer: CitizenPrincipal,
    route: string,
    filter: AuditFilter,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.audit.append({
      kind: 'officer.query',
      decision: 'allow',
      details: {
        officer: officer.subject,
        route,
        filter: { ...filter, from: filter.from?.toISOString(), to: filter.to?.toISOString() },
        ...extra,
      },
    });
  }
}
