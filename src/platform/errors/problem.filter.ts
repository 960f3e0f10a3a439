import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { acceptHeaderFor, expectedBodyType } from '../http/body-types';
import { listenerOf } from '../http/listener';
import { DomainError } from './domain-error';
import type { ErrorCode } from './error-codes';
import { buildProblem, PROBLEM_CONTENT_TYPE } from './problem';
import { problemLanguage } from './problem-language';
import { renderProblemMessage, type ProblemMessage } from './problem-messages';
import { PROBLEM_PAGE, type ProblemPage } from './problem-page';

interface Classified {
  code: ErrorCode;
  detail?: string;
  retryAfterSeconds?: number;
  extensions?: Record<string, unknown>;
  explanation?: ProblemMessage;
}

/** Maps a bare HTTP status (from Nest or Fastify internals) to a gateway code. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'invalid-request';
    case 404:
      return 'not-found';
    case 405:
      return 'method-not-allowed';
    case 406:
      return 'not-acceptable';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    case 429:
      return 'rate-limited';
    default:
      return status >= 400 && status < 500 ? 'invalid-request' : 'internal-error';
  }
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  const status = error.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Decides what the caller may learn about an error. Only DomainErrors carry a
 * caller-facing detail; everything else is reduced to a code so that messages
 * from libraries (SQL, parser internals, upstream bodies) never leave.
 */
export function classifyError(error: unknown): Classified {
  if (error instanceof DomainError) {
    const domain = error as DomainError;
    return {
      code: domain.code,
      detail: domain.detail,
      retryAfterSeconds: domain.options.retryAfterSeconds,
      extensions: domain.options.extensions,
      ...(domain.options.explanation === undefined ? {} : { explanation: domain.options.explanation }),
    };
  }
  if (error instanceof HttpException) return { code: codeForStatus(error.getStatus()) };
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own 4xx (body too large, bad media type, malformed JSON...).
    return { code: codeForStatus(status) };
  }
  return { code: 'internal-error' };
}

/**
 * What the request itself says about an error that arrived without words: a
 * 415 raised by the framework names the type this route takes.
 */
export function explainFromRequest(code: ErrorCode, request: FastifyRequest): ProblemMessage | undefined {
  if (code !== 'unsupported-media-type') return undefined;
  return { id: 'media-type-unsupported', expected: expectedBodyType(listenerOf(request), request.url) };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    @InjectPinoLogger('errors') private readonly logger: PinoLogger,
    @Optional() @Inject(PROBLEM_PAGE) private readonly page?: ProblemPage,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const classified = classifyError(error);
    const explanation = classified.explanation ?? explainFromRequest(classified.code, request);
    const language = problemLanguage(request.headers['accept-language']);
    const detail = explanation === undefined ? classified.detail : renderProblemMessage(explanation, language);
    const problem = buildProblem(classified.code, request.id, detail, classified.extensions);

    if (!(error instanceof DomainError) && problem.status >= 500) {
      // Unexpected: the cause goes to the log (never to the caller) under the correlation id.
      this.logger.error({ err: error, code: problem.code, correlationId: request.id }, 'request failed');
    } else if (problem.status >= 500) {
      this.logger.warn({ code: problem.code, correlationId: request.id }, 'request not served');
    } else if (error instanceof DomainError && error.options.logAs === 'warn') {
      this.logger.warn({ code: problem.code, correlationId: request.id, detail: problem.detail }, 'request refused');
    } else {
      this.logger.debug({ code: problem.code, correlationId: request.id }, 'request refused');
    }
    if (reply.sent) return;
    if (this.page?.wants(request) === true) {
      // A person's browser on a page that does not exist (or failed before its page could): a page, not JSON.
      void reply
        .status(problem.status)
        .header('content-type', 'text/html; charset=utf-8')
        .header('x-correlation-id', request.id)
        .header('cache-control', 'no-store')
        .send(this.page.render(request, problem.status));
      return;
    }
    if (classified.code === 'unauthorized') {
      // RFC 6750 §3: which scheme to use; nothing about why the token failed.
      void reply.header('www-authenticate', 'Bearer realm="passerelle"');
    }
    if (classified.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(classified.retryAfterSeconds));
    }
    if (explanation !== undefined) {
      // The detail was written for this caller's Accept-Language: caches must key on it.
      const vary = reply.getHeader('vary');
      void reply
        .header('content-language', language)
        .header('vary', vary === undefined ? 'Accept-Language' : `${String(vary)}, Accept-Language`);
    }
    if (explanation?.id === 'media-type-unsupported') {
      const acceptHeader = acceptHeaderFor(request.method);
      if (acceptHeader !== undefined) void reply.header(acceptHeader, explanation.expected);
    }
    void reply
      .status(problem.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header('x-correlation-id', request.id)
      .send(JSON.stringify(problem));
  }
}
