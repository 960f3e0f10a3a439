import type { FastifyInstance } from 'fastify';
import type { AgencyIdentityService } from '../../identity/agency-identity.service';
import type { Metrics } from '../metrics/metrics';
import { listenerOf } from './listener';

/**
 * Fastify hooks that run before routing, body parsing and every Nest guard:
 * the correlation id header, the agency caller's identity (so nothing from an
 * unidentified client is even parsed) and the request metrics.
 */
export function installRequestHooks(fastify: FastifyInstance, identity: AgencyIdentityService, metrics: Metrics): void {
  fastify.decorateRequest('agencyIdentity', null);

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-correlation-id', request.id);
    if (listenerOf(request) === 'agency') {
      request.agencyIdentity = await identity.identify(request);
    }
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
