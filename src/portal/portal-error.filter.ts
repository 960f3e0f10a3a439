import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DomainError } from '../platform/errors/domain-error';
import type { ProblemPage } from '../platform/errors/problem-page';
import { listenerOf } from '../platform/http/listener';
import { classifyError } from '../platform/errors/problem.filter';
import { buildProblem } from '../platform/errors/problem';
import { html } from './html';
import { page, type PageSession } from './layout';
import { PortalContext } from './portal-context';
import { messagesFor, type Messages } from './messages';
import { langOf, PortalRedirect, redirect, sendPage } from './portal-http';
import { SignInFailed } from './portal-oidc';

function messageFor(m: Messages, status: number, error: unknown): string {
  if (error instanceof SignInFailed) return m.errors.signInFailed;
  if (status === 404) return m.errors.notFound;
  if (status === 401) return m.errors.expired;
  if (status === 403) return m.errors.forbidden;
  if (status === 400 || status === 409 || status === 422) return m.errors.badRequest;
  if (status === 503) return m.errors.unavailable;
  return m.errors.generic;
}

/**
 * The portal's errors are pages: a human message in the visitor's language and
 * the correlation id, never a stack trace or raw JSON. The cause goes to the log.
 */
@Catch()
export class PortalErrorFilter implements ExceptionFilter {
  constructor(
    @InjectPinoLogger('portal') private readonly logger: PinoLogger,
    private readonly context: PortalContext,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return;
    if (error instanceof PortalRedirect) {
      void redirect(reply, error.location);
      return;
    }
    const status = error instanceof SignInFailed ? 400 : buildProblem(classifyError(error).code, request.id).status;
    if (error instanceof SignInFailed) {
      this.logger.warn({ reason: error.reason, correlationId: request.id }, 'portal sign-in failed');
    } else if (status >= 500 && !(error instanceof DomainError)) {
      this.logger.error({ err: error, correlationId: request.id }, 'portal page failed');
    } else {
      this.logger.debug({ status, correlationId: request.id }, 'portal page refused');
    }
    void this.send(request, reply, status, error);
  }

  /** The error page keeps the visitor's menu and sign-in state, when the session can still be read. */
  private async send(request: FastifyRequest, reply: FastifyReply, status: number, error: unknown): Promise<void> {
    const session = await this.context
      .load(request)
      .then((context) => context.session)
      .catch(() => undefined);
    await sendPage(reply, errorPage(request, status, error, session), status);
  }
}

/** The error page: a human message in the visitor's language and the reference to give support. */
export function errorPage(request: FastifyRequest, status: number, error?: unknown, session?: PageSession): string {
  const m = messagesFor(langOf(request));
  const body = html`<p class="govuk-body-l" role="alert">${messageFor(m, status, error)}</p>
    <p class="govuk-body">${m.errors.reference} : <code class="passerelle-break">${request.id}</code></p>
    <p class="govuk-body"><a class="govuk-link" href="/">${m.errors.home}</a></p>`;
  return page({ m, path: '/', ...(session === undefined ? {} : { session }) }, m.errors.title, body);
}

const NOT_PAGES = /^\/(v1\/|health\/|metrics|openapi\.json|docs|\.well-known\/)/;

/**
 * For the platform's error filter: a browser asking for a page on the public
 * listener (a mistyped address, a body the parser refused) gets the error page.
 * API clients keep their problem+json.
 */
export const PORTAL_PROBLEM_PAGE: ProblemPage = {
  wants: (request) =>
    listenerOf(request) === 'public' &&
    !NOT_PAGES.test(request.url) &&
    (request.headers.accept ?? '').includes('text/html'),
  render: (request, status) => errorPage(request, status),
};
