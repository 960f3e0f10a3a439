import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../platform/errors/domain-error';
import type { CitizenPrincipal } from './citizen-token.verifier';

/** The authenticated citizen (or officer). Refuses if a handler is reached without CitizenAuthGuard. */
export const CitizenCaller = createParamDecorator((_: unknown, context: ExecutionContext): CitizenPrincipal => {
  const citizen = context.switchToHttp().getRequest<FastifyRequest>().citizen;
  if (citizen === undefined) throw new DomainError('unauthorized');
  return citizen;
});
