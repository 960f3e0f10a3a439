import { Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CitizenContacts } from '../notifications/citizen-contacts.service';
import { CitizenTokenVerifier, IdpUnavailable } from '../citizen-auth/citizen-token.verifier';
import { PRIVACY_OFFICER_ROLE } from '../citizen-auth/roles';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { isLang } from './messages';
import { PortalContext } from './portal-context';
import { PortalErrorFilter } from './portal-error.filter';
import {
  clearLoginCookie,
  clearSessionCookie,
  formOf,
  LANG_COOKIE,
  langOf,
  localPath,
  loginState,
  redirect,
  returnPath,
  securityHeaders,
  sendPage,
  sessionToken,
  setLoginCookie,
  setSessionCookie,
} from './portal-http';
import { PortalOidc, SignInFailed } from './portal-oidc';
import { PORTAL_OPTIONS, type PortalOptions } from './portal-options';
import { PortalSessions, SESSION_SECONDS } from './portal-session';
import { encodedStylesheet, FAVICON_SVG } from './stylesheet';
import { homePage, infoPage } from './views-citizen';

/** The portal's front door: home, stylesheet, language, and sign-in through the IdP. */
@ServedOn('public')
@UseFilters(PortalErrorFilter)
@Controller()
export class PortalAuthController {
  constructor(
    private readonly context: PortalContext,
    private readonly sessions: PortalSessions,
    private readonly oidc: PortalOidc,
    private readonly verifier: CitizenTokenVerifier,
    private readonly contacts: CitizenContacts,
    @Inject(PORTAL_OPTIONS) private readonly options: PortalOptions,
  ) {}

  @Get()
  async home(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.load(request);
    if (context.session !== undefined) {
      await redirect(reply, context.session.officer ? '/officer/audit' : '/consents');
      return;
    }
    await sendPage(reply, homePage(context));
  }

  @Get('portal.css')
  async css(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { body, encoding } = encodedStylesheet(request.headers['accept-encoding']);
    if (encoding !== undefined) void reply.header('content-encoding', encoding);
    await reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  }

  @Get('favicon.svg')
  async favicon(@Res() reply: FastifyReply): Promise<void> {
    await reply
      .header('content-type', 'image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .send(FAVICON_SVG);
  }

  /** The footer's pages, signed in or not. */
  @Get(['privacy', 'accessibility', 'support'])
  async info(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.load(request);
    const which = request.url.split('?')[0].slice(1) as 'privacy' | 'accessibility' | 'support';
    await sendPage(reply, infoPage(context, which));
  }

  /** Chooses the language (a cookie, so it holds before sign-in) and goes back to the page. */
  @Get('lang')
  async lang(
    @Query('to') to: string | undefined,
    @Query('back') back: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!isLang(to)) throw new DomainError('invalid-request');
    void reply.setCookie(LANG_COOKIE, to, {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
      secure: this.options.secureCookies,
      maxAge: 365 * 24 * 3600,
    });
    await redirect(reply, localPath(back));
  }

  /** Off to the IdP; `back`, a page of this site, is where the callback goes once signed in. */
  @Get('auth/login')
  async login(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('back') back: string | undefined,
  ): Promise<void> {
    const { url, login } = await this.oidc.start(langOf(request));
    await setLoginCookie(reply, login, this.options.loginKey, this.options.secureCookies, returnPath(back));
    await securityHeaders(reply).status(303).header('location', url).send();
  }

  /** The IdP sends the browser back here with a code; the session it makes replaces any earlier one. */
  @Get('auth/callback')
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const login = await loginState(request, this.options.loginKey);
    // One use: whatever happens next, this sign-in's state is spent.
    clearLoginCookie(reply, this.options.secureCookies);
    if (login === undefined) throw new SignInFailed('no sign-in under way');
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const { subject, accessToken, profile } = await this.oidc.complete(query, login);
    // The roles come from the access token, verified exactly as the API verifies it.
    const principal = await this.verifier.verify(accessToken).catch((error: unknown) => {
      if (error instanceof IdpUnavailable) throw new DomainError('idp-unavailable');
      throw new SignInFailed('access token refused');
    });
    if (principal.subject !== subject) throw new SignInFailed('ID and access tokens name different subjects');
    const session = await this.sessions.signIn(sessionToken(request), subject, principal.roles, profile.name);
    const officer = principal.roles.includes(PRIVACY_OFFICER_ROLE);
    // A citizen's contact record starts from the IdP's claims; what they later edit is never overwritten.
    if (!officer) {
      await this.contacts.recordSignIn(subject, {
        email: profile.email,
        emailVerified: profile.emailVerified,
        locale: profile.locale,
      });
    }
    setSessionCookie(reply, session, SESSION_SECONDS, this.options.secureCookies);
    await redirect(reply, login.back ?? (officer ? '/officer/audit' : '/consents'));
  }

  @Post('auth/logout')
  async logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.context.require(request);
    this.context.checkCsrf(context, formOf(request.body));
    const token = sessionToken(request);
    if (token !== undefined) await this.sessions.end(token);
    clearSessionCookie(reply, this.options.secureCookies);
    await redirect(reply, '/');
  }
}
