import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsentService } from '../consent/consent.service';
import { Catalogue } from '../contracts/catalogue';
import { ServedOn } from '../platform/http/listener';
import { grantChoices, grantTermsOf, WHO_FIELD, whoOf, type GrantChoice } from './grant-form';
import { PortalContext } from './portal-context';
import { PortalErrorFilter } from './portal-error.filter';
import { PortalNames } from './portal-names';
import { formOf, redirect, sendPage } from './portal-http';
import { formatDate } from './views-citizen';
import { grantDataPage, grantReviewPage, grantWhoPage } from './views-grant';

const DAY = 24 * 3600 * 1000;

/**
 * A citizen grants a consent from the portal: which organisation and purpose
 * (among what the catalogue allows on the basis of consent), which products
 * and fields, one-time or ongoing and kept up to date; then the summary; then
 * the consent, recorded by the same service as the API's grant.
 */
@ServedOn('public')
@UseFilters(PortalErrorFilter)
@Controller('consents/new')
export class GrantPagesController {
  /** Built from the catalogue once per revision: a contracts reload rebuilds it. */
  private choicesCache?: { revision: number; choices: GrantChoice[] };

  constructor(
    private readonly context: PortalContext,
    private readonly consents: ConsentService,
    private readonly catalogue: Catalogue,
    private readonly names: PortalNames,
  ) {}

  private get choices(): GrantChoice[] {
    const { revision } = this.catalogue;
    if (this.choicesCache?.revision !== revision) {
      this.choicesCache = { revision, choices: grantChoices(this.catalogue) };
    }
    return this.choicesCache.choices;
  }

  @Get()
  async who(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.require(request);
    await sendPage(reply, grantWhoPage(context, await this.names.load(), this.choices));
  }

  @Get('data')
  async data(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query(WHO_FIELD) who: string | undefined,
  ): Promise<void> {
    const context = await this.context.require(request);
    const choice = this.choices.find((c) => whoOf(c) === who);
    const names = await this.names.load();
    if (choice === undefined) {
      await sendPage(reply, grantWhoPage(context, names, this.choices, true), 400);
      return;
    }
    await sendPage(reply, grantDataPage(context, names, choice, undefined));
  }

  @Post('review')
  async review(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.require(request);
    const form = formOf(request.body);
    this.context.checkCsrf(context, form);
    const names = await this.names.load();
    const parsed = grantTermsOf(form, this.choices);
    if (!parsed.ok) {
      await sendPage(
        reply,
        parsed.choice === undefined
          ? grantWhoPage(context, names, this.choices, true)
          : grantDataPage(context, names, parsed.choice, form, parsed.errors),
        400,
      );
      return;
    }
    const days = this.catalogue.purposes.get(parsed.choice.purpose)?.maxConsentDays ?? 365;
    const until = new Date(Date.now() + days * DAY);
    const formatUntil = (date: Date): string => `${formatDate(context.m.lang, date)} (${context.m.days(days)})`;
    await sendPage(reply, grantReviewPage(context, names, parsed.choice, parsed.terms, until, formatUntil));
  }

  @Post('confirm')
  async confirm(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.require(request);
    const form = formOf(request.body);
    this.context.checkCsrf(context, form);
    const parsed = grantTermsOf(form, this.choices);
    if (!parsed.ok) {
      await sendPage(
        reply,
        parsed.choice === undefined
          ? grantWhoPage(context, await this.names.load(), this.choices, true)
          : grantDataPage(context, await this.names.load(), parsed.choice, form, parsed.errors),
        400,
      );
      return;
    }
    const consent = await this.consents.grant(context.principal.subject, parsed.terms);
    await redirect(reply, `/consents/${consent.id}/receipt?done=granted`);
  }
}
