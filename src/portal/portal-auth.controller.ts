import { Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CitizenTokenVerifier, IdpUnavailable } from '../citizen-auth/citizen-token.verifier';
import { PRIVACY_OFFICER_ROLE } from '../citizen-auth/roles';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { PORTAL_CSS } from './layout';
import { isLang } from './messages';
import { PortalContext } from './portal-context';
import { PortalErrorFilter } from './portal-error.filter';
import {
  clearLoginCookie,
  clearSessionCookie,
  formOf,
  LANG_COOKIE,
  localPath,
  loginState,
  redirect,
  securityHeaders,
  sendPage,
  sessionToken,
  setLoginCookie,
  setSessionCookie,
} from './portal-http';
import { PortalOidc, SignInFailed } from './portal-oidc';
import { PORTAL_OPTIONS, type PortalOptions } from './portal-options';
import { PortalSessions, SESSION_SECONDS } from './portal-session';
import { homePage } from './views-citizen';

/** The portal's front door: home, stylesheet, language, and sign-in through the IdP. */
@ApiExcludeController()
@ServedOn('public')
@UseFilters(PortalErrorFilter)
@Controller()
export class PortalAuthController {
  constructor(
    private readonly context: PortalContext,
    private readonly sessions: PortalSessions,
    private readonly oidc: PortalOidc,
    private readonly verifier: CitizenTokenVerifier,
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
  async css(@Res() reply: FastifyReply): Promise<void> {
    await reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(PORTAL_CSS);
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

  @Get('auth/login')
  async login(@Res() reply: FastifyReply): Promise<void> {
    const { url, login } = await this.oidc.start();
    await setLoginCookie(reply, login, this.options.loginKey, this.options.secureCookies);
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
    const { subject, accessToken } = await this.oidc.complete(query, login);
    // The roles come from the access token, verified exactly as the API verifies it.
    const principal = await this.verifier.verify(accessToken).catch((error: unknown) => {
      if (error instanceof IdpUnavailable) throw new DomainError('idp-unavailable');
      throw new SignInFailed('access token refused');
    });
    if (principal.subject !== subject) throw new SignInFailed('ID and access tokens name different subjects');
    const session = await this.sessions.signIn(sessionToken(request), subject, principal.roles);
    setSessionCookie(reply, session, SESSION_SECONDS, this.options.secureCookies);
    const officer = principal.roles.includes(PRIVACY_OFFICER_ROLE);
    await redirect(reply, officer ? '/officer/audit' : '/consents');
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
