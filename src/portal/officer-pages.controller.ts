import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendCsv } from '../audit/audit-events.controller';
import { AuditOffice, integerParam, type FilterQuery } from '../audit/audit-office.service';
import type { AuditFilter } from '../audit/audit-query.repository';
import { PRIVACY_OFFICER_ROLE } from '../citizen-auth/roles';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { wallClockToInstant } from './local-time';
import { PortalContext } from './portal-context';
import { PortalErrorFilter } from './portal-error.filter';
import { PortalNames } from './portal-names';
import { sendPage } from './portal-http';
import { auditPage, eventPage, integrityPage } from './views-officer';

const PAGE = 50;

/** The privacy officer's pages: search, event detail, CSV export and integrity. Each query is audited. */
@ServedOn('public')
@UseFilters(PortalErrorFilter)
@Controller('officer')
export class OfficerPagesController {
  constructor(
    private readonly context: PortalContext,
    private readonly office: AuditOffice,
    private readonly names: PortalNames,
  ) {}

  @Get('audit')
  async search(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: FilterQuery): Promise<void> {
    const context = await this.context.require(request, PRIVACY_OFFICER_ROLE);
    const filter = this.filterOf(query);
    const cursor = integerParam(query.cursor, 'cursor', 0, Number.MAX_SAFE_INTEGER);
    const result = await this.office.search(context.principal, filter, cursor, PAGE);
    await sendPage(reply, auditPage(context, await this.names.load(), query, result));
  }

  @Get('audit/export.csv')
  async export(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: FilterQuery): Promise<void> {
    const context = await this.context.require(request, PRIVACY_OFFICER_ROLE);
    await sendCsv(reply, await this.office.export(context.principal, this.filterOf(query)));
  }

  @Get('audit/:seq')
  async event(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('seq') seq: string): Promise<void> {
    const context = await this.context.require(request, PRIVACY_OFFICER_ROLE);
    if (!/^[1-9]\d{0,14}$/.test(seq)) throw new DomainError('not-found');
    const event = await this.office.event(context.principal, Number(seq));
    await sendPage(reply, eventPage(context, await this.names.load(), event));
  }

  @Get('integrity')
  async integrity(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.require(request, PRIVACY_OFFICER_ROLE);
    await sendPage(reply, integrityPage(context, await this.office.integrity(context.principal)));
  }

  /** The API's filters; the form's times are wall-clock times in Quebec. */
  private filterOf(query: FilterQuery): AuditFilter {
    return this.office.filterOf({ ...query, from: wallClockToInstant(query.from), to: wallClockToInstant(query.to) });
  }
}
