import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PRIVACY_OFFICER_ROLE } from '../citizen-auth/roles';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import { DomainError } from '../platform/errors/domain-error';
import type { PageContext, PageSession } from './layout';
import { messagesFor } from './messages';
import { langOf, PortalRedirect, sessionToken, signInFor } from './portal-http';
import { PortalSessions } from './portal-session';

/** A page's context once the visitor is known to be signed in. */
export interface SignedInContext extends PageContext {
  session: PageSession;
  principal: CitizenPrincipal;
}

/** Reads who is asking and in which language, for every portal page. */
@Injectable()
export class PortalContext {
  constructor(private readonly sessions: PortalSessions) {}

  async load(request: FastifyRequest): Promise<PageContext & { principal?: CitizenPrincipal }> {
    const m = messagesFor(langOf(request));
    const path = request.url;
    const stored = await this.sessions.find(sessionToken(request));
    if (stored === undefined) return { m, path };
    const principal = { subject: stored.subject, roles: stored.roles };
    return {
      m,
      path,
      principal,
      session: {
        subject: stored.subject,
        ...(stored.name === null ? {} : { name: stored.name }),
        officer: stored.roles.includes(PRIVACY_OFFICER_ROLE),
        csrf: stored.csrf,
      },
    };
  }

  /** The signed-in visitor; sign-in first otherwise, and 403 for an officer's page without the role. */
  async require(request: FastifyRequest, role?: typeof PRIVACY_OFFICER_ROLE): Promise<SignedInContext> {
    const context = await this.load(request);
    if (context.session === undefined || context.principal === undefined) {
      // A page asked for while signed out (a link from a message) is where sign-in comes back to.
      throw new PortalRedirect(request.method === 'GET' ? signInFor(request.url) : '/auth/login');
    }
    if (role !== undefined && !context.principal.roles.includes(role)) throw new DomainError('forbidden');
    return context as SignedInContext;
  }

  /** A form must carry the session's CSRF token: a cross-site post cannot know it. */
  checkCsrf(context: SignedInContext, form: Record<string, string>): void {
    const given = Buffer.from(form._csrf ?? '');
    const expected = Buffer.from(context.session.csrf);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new DomainError('forbidden', 'The form is no longer valid');
    }
  }
}
