import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { LISTENER_METADATA, type ListenerName, listenerOf } from './listener';

/**
 * Keeps each route on its own listener: an agency route asked for on the public
 * port (or the reverse) answers 404, as if it did not exist there. A route that
 * declares no listener is served nowhere, so forgetting the decorator fails
 * closed.
 */
@Injectable()
export class ListenerGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const declared = this.reflector.getAllAndOverride<ListenerName | undefined>(LISTENER_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (declared === undefined || declared !== listenerOf(request)) {
      throw new DomainError('not-found');
    }
    return true;
  }
}
