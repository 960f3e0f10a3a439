import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../platform/errors/domain-error';
import type { AgencyIdentity } from './agency-identity.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the agency listener's onRequest hook, from the TLS socket only. */
    agencyIdentity: AgencyIdentity | null;
  }
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
