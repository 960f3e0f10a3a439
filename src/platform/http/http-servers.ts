import fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { trace } from '@opentelemetry/api';
import { DomainError } from '../errors/domain-error';
import type { ProblemMessage } from '../errors/problem-messages';
import { acceptsForm, JSON_TYPE } from './body-types';
import { listenerOf } from './listener';
import { jsonDepthExceeds, jsonDuplicateKey } from './json-depth';
import { findJsonSyntaxError } from './json-syntax';
import { answerRoutingError, refuseMalformedQuery } from './percent-encoding';
import { trackConnections } from './server-close';
import { withRequestSpans } from '../telemetry/request-spans';
import { rememberRequestContext } from '../telemetry/spans';

/** How long an agency connection may take to complete its TLS handshake. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface HttpServersOptions {
  /** TLS options of the agency listener: key, cert, client CA and CRL. */
  agencyTls: https.ServerOptions;
  bodyLimitBytes: number;
  /** Routes that take larger bodies than the rest, by "METHOD /path" (a source's batch of changes). */
  routeBodyLimits?: Record<string, number>;
  jsonMaxDepth: number;
}

export interface HttpServers {
  fastify: FastifyInstance;
  agency: https.Server;
  public: http.Server;
}

/**
 * The correlation id is the W3C trace id when tracing is on, so a log line, a
 * problem document and a trace all share one key; otherwise a random id of the
 * same shape.
 */
export function newCorrelationId(): string {
  const active = trace.getActiveSpan()?.spanContext();
  if (active !== undefined && active.traceId !== '00000000000000000000000000000000') return active.traceId;
  return randomUUID().replaceAll('-', '');
}

/** Raw requests carry their correlation id so pino-http logs the same id Fastify uses. */
export type CorrelatedRequest = IncomingMessage & { correlationId?: string };

/**
 * One Fastify instance, two Node servers. The agency server asks for a client
 * certificate but does not reject at the handshake: the identity hook inspects
 * the socket on every request, so that each refusal is answered with a
 * problem document, logged with its reason, and re-checked against the current
 * CRL even on keep-alive connections opened before a revocation.
 */
export function createHttpServers(options: HttpServersOptions): HttpServers {
  let agency: https.Server | undefined;
  let publicServer: http.Server | undefined;
  const instance = fastify({
    bodyLimit: options.bodyLimitBytes,
    trustProxy: false,
    logger: false,
    return503OnClosing: true,
    // A URL the router cannot read answers problem+json like every other refusal.
    frameworkErrors: answerRoutingError,
    genReqId: (raw: CorrelatedRequest) => {
      // Called as the request arrives, inside its server span's context: the only moment that context is active.
      rememberRequestContext(raw);
      const id = newCorrelationId();
      raw.correlationId = id;
      return id;
    },
    serverFactory: (fastifyHandler) => {
      // Each request's server span, when tracing is on, around all Fastify does with it.
      const handler = withRequestSpans(fastifyHandler);
      agency = https.createServer(
        {
          ...options.agencyTls,
          requestCert: true,
          rejectUnauthorized: false,
          minVersion: 'TLSv1.2',
          // A client that connects and never finishes its handshake holds a socket; Node's default is 120 s.
          handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        },
        handler,
      );
      publicServer = http.createServer(handler);
      for (const server of [agency, publicServer]) {
        // Outlive a typical load balancer's idle timeout, and bound slow clients.
        server.keepAliveTimeout = 65_000;
        server.headersTimeout = 20_000;
        server.requestTimeout = 30_000;
        // So that shutdown can cut sockets still in their TLS handshake, which the servers do not list.
        trackConnections(server);
      }
      return agency;
    },
  });
  if (agency === undefined || publicServer === undefined) {
    throw new Error('Fastify did not call the server factory');
  }

  // First of all hooks, so nothing downstream decodes a malformed escape.
  instance.addHook('onRequest', refuseMalformedQuery);

  // Only JSON bodies are accepted anywhere; every other type is a 415.
  instance.removeAllContentTypeParsers();
  // Registered before any route: the few routes that take large bodies get their own limit.
  instance.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const limit = options.routeBodyLimits?.[`${method} ${route.url}`];
      if (limit !== undefined) route.bodyLimit = limit;
    }
  });
  const parseJson = instance.getDefaultJsonParser('error', 'error');
  instance.addContentTypeParser(JSON_TYPE, { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepthExceeds(text, options.jsonMaxDepth)) {
      done(invalidJson({ id: 'json-too-deep', maxDepth: options.jsonMaxDepth }), undefined);
      return;
    }
    if (jsonDuplicateKey(text) !== undefined) {
      done(invalidJson({ id: 'json-duplicate-member' }), undefined);
      return;
    }
    void parseJson(request, text, (error, parsed) => {
      done(error === null ? null : explainJsonFailure(text), parsed);
    });
  });

  // The portal's forms, and only there: the agency listener and the JSON APIs keep answering 415.
  instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    if (!acceptsForm(listenerOf(request), request.url)) {
      const explanation = { id: 'media-type-unsupported', expected: JSON_TYPE } as const;
      done(new DomainError('unsupported-media-type', undefined, { explanation }), undefined);
      return;
    }
    const text = typeof body === 'string' ? body : body.toString('utf8');
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });

  return { fastify: instance, agency, public: publicServer };
}

const invalidJson = (explanation: ProblemMessage): DomainError =>
  new DomainError('invalid-request', undefined, { explanation });

/**
 * Why the body parser refused a body. Its own error says nothing useful (and
 * the message of JSON.parse beneath it quotes the body), so the position is
 * found again here; a body that is valid JSON was refused for a member named
 * `__proto__` or `constructor.prototype`.
 */
function explainJsonFailure(text: string): DomainError {
  const syntax = findJsonSyntaxError(text);
  if (syntax === undefined) return invalidJson({ id: 'json-forbidden-member' });
  const { line, column, offset } = syntax;
  return new DomainError('invalid-request', undefined, {
    explanation: { id: 'json-malformed', ...syntax },
    extensions: { position: { line, column, offset } },
  });
}
