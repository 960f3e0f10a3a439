import type { FastifyInstance } from 'fastify';
import type { AgencyIdentityService } from '../../identity/agency-identity.service';
import type { Metrics } from '../metrics/metrics';
import { DomainError } from '../errors/domain-error';
import type { Admission } from './admission';
import { listenerOf } from './listener';

/**
 * Fastify hooks that run before routing, body parsing and every Nest guard:
 * the correlation id header, the agency caller's identity (so nothing from an
 * unidentified client is even parsed) and the request metrics.
 */
export function installRequestHooks(
  fastify: FastifyInstance,
  identity: AgencyIdentityService,
  metrics: Metrics,
  admission: Admission,
): void {
  fastify.decorateRequest('agencyIdentity', null);

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-correlation-id', request.id);
    if (listenerOf(request) !== 'agency') return;
    // Shed before any work: past the cap, an immediate 503 rather than a queue without bound.
    const release = admission.enter();
    if (release === undefined) throw new DomainError('overloaded', undefined, { retryAfterSeconds: 1 });
    reply.raw.once('close', release);
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
