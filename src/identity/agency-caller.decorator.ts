import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../platform/errors/domain-error';
import type { IdentifyAgencyCaller } from '../platform/http/request-hooks';
import type { AgencyIdentity, AgencyIdentityService } from './agency-identity.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the agency listener's onRequest hook, from the TLS socket only. */
    agencyIdentity: AgencyIdentity | null;
  }
}

/**
 * The agency listener's identification step, for the platform's request hooks:
 * each agency request's caller is identified from its TLS socket and recorded
 * on the request before anything else of it is read.
 */
export function agencyCallerIdentification(
  fastify: FastifyInstance,
  identity: AgencyIdentityService,
): IdentifyAgencyCaller {
  fastify.decorateRequest('agencyIdentity', null);
  return async (request) => {
    request.agencyIdentity = await identity.identify(request);
    return request.agencyIdentity.organisation;
  };
}

/**
 * The identified calling organisation. If a handler is ever reached without an
 * identity (a route wired to the wrong listener), it refuses rather than
 * guessing.
 */
export const AgencyCaller = createParamDecorator((_: unknown, context: ExecutionContext): AgencyIdentity => {
  const identity = context.switchToHttp().getRequest<FastifyRequest>().agencyIdentity;
  if (identity === null) throw new DomainError('client-certificate-required');
  return identity;
});
