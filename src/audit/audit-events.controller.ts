import { Readable } from 'node:stream';
import { Controller, Get, Inject, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CitizenAuthGuard, RequireRole } from '../citizen-auth/citizen-auth.guard';
import { CitizenCaller } from '../citizen-auth/citizen-caller.decorator';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import { PRIVACY_OFFICER_ROLE } from '../citizen-auth/dev-idp/dev-accounts';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import type { AuditPayload } from './audit-chain';
import { csvLines } from './audit-csv';
import { AuditQueryRepository, type AuditFilter } from './audit-query.repository';
import { verifyAuditLog, type AuditRow, type VerifyReport } from './audit-verify';
import { AUDIT_OPTIONS, AuditLog, type AuditOptions } from './audit-log';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';

const NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;
const PIVOT = /^[A-Za-z0-9-]{1,64}$/;

type Query = Record<string, string | undefined>;

/** Reads the filters of DESIGN.md; a bad one answers 400 naming it. */
export function parseFilter(query: Query, pseudonymOf: (pivot: string) => string): AuditFilter {
  const bad = (name: string): DomainError =>
    new DomainError('invalid-request', 'The audit filter is not valid', {
      extensions: { errors: [{ pointer: `query:${name}`, message: 'is invalid' }] },
    });
  const filter: AuditFilter = {};
  const text = (name: 'org' | 'product' | 'purpose' | 'decision', pattern: RegExp): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    if (!pattern.test(value)) throw bad(name);
    return value;
  };
  const date = (name: 'from' | 'to'): Date | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime())) throw bad(name);
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
  filter.from = date('from');
  filter.to = date('to');
  return filter;
}

function integer(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,15}$/.test(value) || Number(value) > max) {
    throw new DomainError('invalid-request', 'The audit query is not valid', {
      extensions: { errors: [{ pointer: `query:${name}`, message: `must be an integer up to ${max}` }] },
    });
  }
  return Number(value);
}

/** The privacy officers' routes. Every query an officer makes is itself audited. */
@ApiTags('officer')
@ApiBearerAuth()
@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@RequireRole(PRIVACY_OFFICER_ROLE)
@Controller('v1/audit')
export class AuditEventsController {
  constructor(
    private readonly audit: AuditLog,
    private readonly queries: AuditQueryRepository,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
  ) {}

  @Get('events')
  @ApiOperation({ summary: 'Search the audit log: filters, keyset pagination by seq (cursor = last seq seen)' })
  async events(
    @CitizenCaller() officer: CitizenPrincipal,
    @Query() query: Query,
  ): Promise<{ events: (AuditPayload & { seq: number })[]; nextCursor: string | null }> {
    const filter = parseFilter(query, (pivot) => this.audit.pseudonymOf(pivot));
    const cursor = integer(query.cursor, 'cursor', 0, Number.MAX_SAFE_INTEGER);
    const limit = integer(query.limit, 'limit', 100, 1000) || 100;
    await this.recordQuery(officer, 'events', filter);
    const rows = await this.queries.search(filter, cursor, limit);
    return {
      events: rows.map((row) => ({ ...row.payload, seq: Number(row.seq) })),
      nextCursor: rows.length === limit ? rows[rows.length - 1].seq : null,
    };
  }

  @Get('events/export')
  @ApiOperation({ summary: 'The matching events as CSV, streamed page by page' })
  async export(
    @CitizenCaller() officer: CitizenPrincipal,
    @Query() query: Query,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if ((query.format ?? 'csv') !== 'csv') {
      throw new DomainError('invalid-request', 'Only format=csv is offered', {
        extensions: { errors: [{ pointer: 'query:format', message: 'must be csv' }] },
      });
    }
    const filter = parseFilter(query, (pivot) => this.audit.pseudonymOf(pivot));
    await this.recordQuery(officer, 'export', filter);
    const queries = this.queries;
    await reply
      .status(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="audit-events.csv"')
      .header('cache-control', 'no-store')
      .send(Readable.from(csvLines((after, size) => queries.search(filter, after, size))));
  }

  @Get('integrity')
  @ApiOperation({ summary: 'Verify the whole chain and the signed checkpoints now' })
  async integrity(@CitizenCaller() officer: CitizenPrincipal): Promise<Omit<VerifyReport, 'invalidCheckpoints'>> {
    await this.recordQuery(officer, 'integrity', {});
    const { invalidCheckpoints: _invalid, ...report } = await verifyAuditLog(
      (text, values) => this.queries.sql.raw<AuditRow>(text, values),
      this.options.checkpointDir,
      this.key.publicJwk,
    );
    return report;
  }

  private async recordQuery(officer: CitizenPrincipal, route: string, filter: AuditFilter): Promise<void> {
    await this.audit.append({
      kind: 'officer.query',
      decision: 'allow',
      details: {
        officer: officer.subject,
        route,
        filter: { ...filter, from: filter.from?.toISOString(), to: filter.to?.toISOString() },
      },
    });
  }
}
