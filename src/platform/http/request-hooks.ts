import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readiness } from '../health/readiness';
import type { Metrics } from '../metrics/metrics';
import { DomainError } from '../errors/domain-error';
import type { Admission } from './admission';
import { listenerOf } from './listener';
import { announcesBody, watchBodyRate, type BodyRateFloor } from './slow-body';

function isProbe(url: string): boolean {
  return url === '/health' || url.startsWith('/health/');
}

/** Shed before any work: past the cap, an immediate 503 rather than a queue without bound. */
function admit(release: (() => void) | undefined, reply: FastifyReply): void {
  if (release === undefined) throw new DomainError('overloaded', undefined, { retryAfterSeconds: 1 });
  reply.raw.once('close', release);
}

/**
 * Identifies the caller of an agency-listener request from its TLS socket and
 * records it on the request, or throws the refusal. Resolves to the
 * organisation whose rate limit the request counts against. Supplied by the
 * identity context.
 */
export type IdentifyAgencyCaller = (request: FastifyRequest) => Promise<string>;

export interface PublicListenerRules {
  /**
   * Whether a request carries credentials that hold (a verified bearer token,
   * a portal session cookie the gateway signed). Others are admitted within
   * the anonymous share only, so a forged header buys nothing.
   */
  credentialed(request: FastifyRequest): Promise<boolean>;
  /** The slowest a body may arrive before it is cut with 408. */
  bodyRate: BodyRateFloor;
}

/**
 * Fastify hooks that run before routing, body parsing and every Nest guard:
 * the correlation id header, the agency caller's identity (so nothing from an
 * unidentified client is even parsed), the public caller's credentials (so an
 * anonymous client cannot hold the room of signed-in ones), a floor on how
 * slowly a public body may arrive, and the request metrics. Once shutdown
 * has begun, every answer closes its connection, so keep-alive clients
 * reconnect through the load balancer to a node that stays.
 */
export function installRequestHooks(
  fastify: FastifyInstance,
  identifyAgencyCaller: IdentifyAgencyCaller,
  metrics: Metrics,
  admission: Admission,
  readiness: Readiness,
  publicRules: PublicListenerRules,
): void {
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-correlation-id', request.id);
    if (readiness.isShuttingDown) void reply.header('connection', 'close');
    if (listenerOf(request) !== 'agency') {
      // Probes answer even when the gateway is full: they are how it is watched.
      if (!isProbe(request.url)) admit(admission.enterPublic(await publicRules.credentialed(request)), reply);
      return;
    }
    admit(admission.agency.enter(), reply);
    const wait = admission.charge(await identifyAgencyCaller(request));
    if (wait > 0) throw new DomainError('rate-limited', undefined, { retryAfterSeconds: wait });
  });

  // A public body must keep coming, or its slot is given back. Agency callers are
  // identified before their body is read and limited per organisation instead.
  fastify.addHook('preParsing', async (request, reply, payload) => {
    if (listenerOf(request) === 'agency' || !announcesBody(request.headers)) return payload;
    return watchBodyRate(payload, reply.raw, publicRules.bodyRate);
  });

  fastify.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe(
      {
        listener: listenerOf(request),
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}

/**
 * The access log, one line per request. Installed after installRequestHooks:
 * a request refused there (an unidentified agency, a full gateway) is logged
 * by the refusal's own line only.
 */
export function installRequestLogging(
  fastify: FastifyInstance,
  logRequest: (request: IncomingMessage, response: ServerResponse) => void,
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    logRequest(request.raw, reply.raw);
    done();
  });
}
