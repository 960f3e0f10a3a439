import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { validateContact } from '../notifications/citizen-contact';
import { CitizenContacts } from '../notifications/citizen-contacts.service';
import { ServedOn } from '../platform/http/listener';
import { contactInputOf } from './contact-form';
import { PortalContext } from './portal-context';
import { PortalErrorFilter } from './portal-error.filter';
import { formOf, redirect, sendPage, signInFor } from './portal-http';
import { confirmSignInPage, type ContactNotice, contactPage } from './views-contact';

const NOTICES: readonly string[] = ['saved', 'sent', 'confirmed'] satisfies ContactNotice[];

/** The citizen's contact details: where Passerelle writes to them, in which language, about what. */
@ServedOn('public')
@UseFilters(PortalErrorFilter)
@Controller('contact')
export class ContactPagesController {
  constructor(
    private readonly context: PortalContext,
    private readonly contacts: CitizenContacts,
  ) {}

  @Get()
  async show(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('done') done?: string): Promise<void> {
    const context = await this.context.require(request);
    const contact = await this.contacts.get(context.principal.subject);
    await sendPage(
      reply,
      contactPage(context, contact, {
        smsAvailable: this.contacts.smsAvailable,
        notice: done !== undefined && NOTICES.includes(done) ? (done as ContactNotice) : undefined,
        notSent: done === 'not-sent',
      }),
    );
  }

  @Post()
  async save(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.require(request);
    const form = formOf(request.body);
    this.context.checkCsrf(context, form);
    const subject = context.principal.subject;
    const current = await this.contacts.get(subject);
    const smsAvailable = this.contacts.smsAvailable;
    const input = contactInputOf(form, current, smsAvailable);
    const checked = validateContact(input);
    if (!checked.ok) {
      await sendPage(
        reply,
        contactPage(context, current, { smsAvailable, values: input, errors: checked.errors }),
        400,
      );
      return;
    }
    const saved = await this.contacts.update(subject, input);
    const done = saved.confirmationSent === undefined ? 'saved' : saved.confirmationSent ? 'sent' : 'not-sent';
    await redirect(reply, `/contact?done=${done}`);
  }

  /**
   * The link of a confirmation message. The token is the citizen's own only
   * if they are signed in as the citizen who asked: it is checked against
   * their record alone. The page never carries the token further (the
   * language switch returns to /contact).
   */
  @Get('confirm')
  async confirm(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('token') token?: string,
  ): Promise<void> {
    const loaded = await this.context.load(request);
    const context = { ...loaded, path: '/contact' };
    if (context.session === undefined || context.principal === undefined) {
      // Signed in, the browser comes back to this very link.
      await sendPage(reply, confirmSignInPage(context, signInFor(request.url)));
      return;
    }
    const subject = context.principal.subject;
    const result = await this.contacts.confirm(subject, typeof token === 'string' ? token : '');
    if (result === 'confirmed') {
      await redirect(reply, '/contact?done=confirmed');
      return;
    }
    const contact = await this.contacts.get(subject);
    await sendPage(
      reply,
      contactPage({ ...context, session: context.session }, contact, {
        smsAvailable: this.contacts.smsAvailable,
        refused: result,
      }),
      400,
    );
  }
}
