import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CitizenAuthGuard } from '../citizen-auth/citizen-auth.guard';
import { CitizenCaller } from '../citizen-auth/citizen-caller.decorator';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import type { LocalisedTitle } from '../contracts/catalogue';
import { Catalogue } from '../contracts/catalogue';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { AuditLog } from './audit-log';
import { AuditQueryRepository } from './audit-query.repository';

export interface AccessEntry {
  seq: number;
  when: string;
  organisation: string;
  organisationName: string | null;
  product: string;
  productTitle: LocalisedTitle | null;
  purpose: string;
  purposeTitle: LocalisedTitle | null;
  decision: string;
}

/** Every exchange that touched the caller, newest first, in words the citizen can read. */
@ApiTags('citizen')
@ApiBearerAuth()
@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@Controller('v1/me/access-log')
export class AccessLogController {
  constructor(
    private readonly audit: AuditLog,
    private readonly queries: AuditQueryRepository,
    private readonly catalogue: Catalogue,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Who asked for my data: when, which organisation, product, purpose, and the decision' })
  async list(
    @CitizenCaller() caller: CitizenPrincipal,
    @Query('before') before: string | undefined,
  ): Promise<{ entries: AccessEntry[]; nextBefore: number | null }> {
    if (before !== undefined && !/^\d{1,15}$/.test(before)) {
      throw new DomainError('invalid-request', 'before must be a seq', {
        extensions: { errors: [{ pointer: 'query:before', message: 'is invalid' }] },
      });
    }
    const limit = 200;
    const rows = await this.queries.accessLog(
      this.audit.pseudonymOf(caller.subject),
      before === undefined ? Number.MAX_SAFE_INTEGER : Number(before),
      limit,
    );
    const entries = rows.map((row) => ({
      seq: Number(row.seq),
      when: row.recordedAt.toISOString(),
      organisation: row.organisation,
      organisationName: row.organisationName,
      product: row.product,
      productTitle: this.catalogue.latest(row.product)?.title ?? null,
      purpose: row.purpose,
      purposeTitle: this.catalogue.purposes.get(row.purpose)?.title ?? null,
      decision: row.decision,
    }));
    return { entries, nextBefore: rows.length === limit ? entries[entries.length - 1].seq : null };
  }
}
