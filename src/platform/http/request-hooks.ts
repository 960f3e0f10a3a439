import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AgencyIdentityService } from '../../identity/agency-identity.service';
import type { Readiness } from '../health/readiness';
import type { Metrics } from '../metrics/metrics';
import { DomainError } from '../errors/domain-error';
import type { Admission, InFlightCap } from './admission';
import { listenerOf } from './listener';

function isProbe(url: string): boolean {
  return url === '/metrics' || url === '/health' || url.startsWith('/health/');
}

/** Shed before any work: past the cap, an immediate 503 rather than a queue without bound. */
function admit(cap: InFlightCap, reply: FastifyReply): void {
  const release = cap.enter();
  if (release === undefined) throw new DomainError('overloaded', undefined, { retryAfterSeconds: 1 });
  reply.raw.once('close', release);
}

/**
 * Fastify hooks that run before routing, body parsing and every Nest guard:
 * the correlation id header, the agency caller's identity (so nothing from an
 * unidentified client is even parsed) and the request metrics. Once shutdown
 * has begun, every answer closes its connection, so keep-alive clients
 * reconnect through the load balancer to a node that stays.
 */
export function installRequestHooks(
  fastify: FastifyInstance,
  identity: AgencyIdentityService,
  metrics: Metrics,
  admission: Admission,
  readiness: Readiness,
): void {
  fastify.decorateRequest('agencyIdentity', null);

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-correlation-id', request.id);
    if (readiness.isShuttingDown) void reply.header('connection', 'close');
    if (listenerOf(request) !== 'agency') {
      // Probes and scrapes answer even when the gateway is full: they are how it is watched.
      if (!isProbe(request.url)) admit(admission.public, reply);
      return;
    }
    admit(admission.agency, reply);
    request.agencyIdentity = await identity.identify(request);
    const wait = admission.charge(request.agencyIdentity.organisation);
    if (wait > 0) throw new DomainError('rate-limited', undefined, { retryAfterSeconds: wait });
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
