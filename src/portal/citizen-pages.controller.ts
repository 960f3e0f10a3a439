import { Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditOffice } from '../audit/audit-office.service';
import { RECEIPT_MEDIA_TYPE } from '../consent/consent-receipt';
import { ConsentRequestService } from '../consent/consent-request.service';
import { ConsentService } from '../consent/consent.service';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { approvalChoiceOf } from './approval-form';
import { PortalContext } from './portal-context';
import { PortalErrorFilter } from './portal-error.filter';
import { PortalNames } from './portal-names';
import { formOf, redirect, securityHeaders, sendPage } from './portal-http';
import { consentsPage, revokePage } from './views-citizen';
import { historyPage } from './views-history';
import { receiptPdf } from './receipt-pdf';
import { receiptPage } from './views-receipt';
import { requestsPage } from './views-requests';

const NAME = /^[a-z][a-z0-9.-]{0,99}$/;
const HISTORY_PAGE = 200;

const optional = (value: string | undefined, pattern: RegExp): string | undefined =>
  value !== undefined && pattern.test(value) ? value : undefined;

/** The citizen's pages: consents, requests waiting, and who looked at their data. */
@ServedOn('public')
@UseFilters(PortalErrorFilter)
@Controller()
export class CitizenPagesController {
  constructor(
    private readonly context: PortalContext,
    private readonly consents: ConsentService,
    private readonly requests: ConsentRequestService,
    private readonly office: AuditOffice,
    private readonly names: PortalNames,
  ) {}

  @Get('consents')
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('done') done?: string): Promise<void> {
    const context = await this.context.require(request);
    const consents = await this.consents.list(context.principal.subject);
    const notice = done === 'revoked' ? context.m.consents.revoked : undefined;
    await sendPage(reply, consentsPage(context, await this.names.load(), consents, notice));
  }

  @Get('consents/:id/revoke')
  async confirmRevoke(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id') id: string,
  ): Promise<void> {
    const context = await this.context.require(request);
    const consent = await this.consents.get(context.principal.subject, id);
    if (consent.status !== 'active') throw new DomainError('consent-not-active');
    await sendPage(reply, revokePage(context, await this.names.load(), consent));
  }

  @Post('consents/:id/revoke')
  async revoke(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string): Promise<void> {
    const context = await this.context.require(request);
    this.context.checkCsrf(context, formOf(request.body));
    await this.consents.revoke(context.principal.subject, id);
    await redirect(reply, '/consents?done=revoked');
  }

  /** The receipt as a person reads it, with the signed file's fingerprint and a link to download it. */
  @Get('consents/:id/receipt')
  async receipt(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id') id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const context = await this.context.require(request);
    const consent = await this.consents.get(context.principal.subject, id);
    const jws = await this.consents.receipt(context.principal.subject, id);
    const notice = done === 'granted' ? context.m.consents.granted : undefined;
    await sendPage(reply, receiptPage(context, await this.names.load(), consent, jws, notice));
  }

  /** The receipt to print: the page's facts as a PDF. */
  @Get('consents/:id/receipt.pdf')
  async receiptPdf(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string): Promise<void> {
    const context = await this.context.require(request);
    const consent = await this.consents.get(context.principal.subject, id);
    const jws = await this.consents.receipt(context.principal.subject, id);
    const pdf = await receiptPdf(context.m, await this.names.load(), consent, jws);
    await securityHeaders(reply)
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="consent-${id}.pdf"`)
      .send(pdf);
  }

  /** The signed receipt itself (a compact JWS), as a file. */
  @Get('consents/:id/receipt.jws')
  async receiptFile(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id') id: string,
  ): Promise<void> {
    const context = await this.context.require(request);
    const receipt = await this.consents.receipt(context.principal.subject, id);
    await securityHeaders(reply)
      .header('content-type', RECEIPT_MEDIA_TYPE)
      .header('content-disposition', `attachment; filename="consent-${id}.jws"`)
      .send(receipt);
  }

  @Get('requests')
  async pending(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('done') done?: string,
  ): Promise<void> {
    const context = await this.context.require(request);
    const requests = await this.requests.listForCitizen(context.principal.subject);
    const notice =
      done === 'approved' ? context.m.requests.approved : done === 'rejected' ? context.m.requests.rejected : undefined;
    await sendPage(reply, requestsPage(context, await this.names.load(), requests, notice));
  }

  @Post('requests/:id/:decision')
  async decide(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id') id: string,
    @Param('decision') decision: string,
  ): Promise<void> {
    if (decision !== 'approve' && decision !== 'reject') throw new DomainError('not-found');
    const context = await this.context.require(request);
    const form = formOf(request.body);
    this.context.checkCsrf(context, form);
    await (decision === 'approve'
      ? this.requests.approve(context.principal.subject, id, approvalChoiceOf(form))
      : this.requests.reject(context.principal.subject, id));
    await redirect(reply, `/requests?done=${decision === 'approve' ? 'approved' : 'rejected'}`);
  }

  @Get('history')
  async history(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, string | undefined>,
  ): Promise<void> {
    const context = await this.context.require(request);
    const entries = await this.office.accessLog(context.principal.subject, Number.MAX_SAFE_INTEGER, HISTORY_PAGE);
    const filter = {
      org: optional(query.org, NAME),
      product: optional(query.product, NAME),
      decision: optional(query.decision, /^(allow|deny|error)$/),
    };
    await sendPage(reply, historyPage(context, await this.names.load(), entries, filter));
  }
}
