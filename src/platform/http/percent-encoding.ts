import type { FastifyError, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { buildProblem, PROBLEM_CONTENT_TYPE } from '../errors/problem';

/**
 * Whether `text` (a query string, or any part of a URL) holds a `%` that is
 * not a well-formed escape of UTF-8: `%zz`, a cut `%E0%A4%A`, a lone `%E0`.
 * Fastify's query parser keeps such text as it is and carries on, so a
 * handler or a logger that decodes it later throws, and the caller gets a
 * 500 for what is their own mistake. Pure.
 */
export function hasMalformedEscape(text: string): boolean {
  if (!text.includes('%')) return false;
  try {
    // Decoding the whole text checks each escape in place; `&` and `=` stay as they are.
    decodeURIComponent(text);
    return false;
  } catch {
    return true;
  }
}

/**
 * The first onRequest hook: a query string with a malformed escape is refused
 * whole, before Nest's middleware (the request logger decodes names) and any
 * handler see it. Not a Fastify `querystringParser`: that runs inside the
 * router, where a throw escapes the request handler and ends the process.
 */
export function refuseMalformedQuery(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const queryStart = request.url.indexOf('?');
  if (queryStart !== -1 && hasMalformedEscape(request.url.slice(queryStart + 1))) {
    done(new DomainError('invalid-request', 'The query string has a malformed percent-escape', { logAs: 'warn' }));
    return;
  }
  done();
}

/**
 * Fastify's `frameworkErrors`: the router could not route the URL (a path
 * with a malformed escape such as `/v1/me/consents/%zz`, a parameter longer
 * than the router allows). No hook or Nest filter runs for these, so the
 * problem document is written here, as the filter would write it.
 */
export function answerRoutingError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const unroutable = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const problem = unroutable
    ? buildProblem('invalid-request', request.id, 'The path is not a valid URL path')
    : buildProblem('internal-error', request.id);
  void reply
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('x-correlation-id', request.id)
    .send(JSON.stringify(problem));
}
