import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TLSSocket } from 'node:tls';

/**
 * The gateway serves two listeners from one application: the agency API over
 * mutual TLS and the public listener (citizens, officers, health, metrics).
 * Which one a request arrived on is a fact of its socket, never of a header.
 */
export type ListenerName = 'agency' | 'public';

export const LISTENER_METADATA = 'passerelle:listener';

/** Marks a controller (or handler) as served on exactly one listener. */
export const ServedOn = (listener: ListenerName): MethodDecorator & ClassDecorator =>
  SetMetadata(LISTENER_METADATA, listener);

export function listenerOf(request: FastifyRequest): ListenerName {
  return request.raw.socket instanceof TLSSocket ? 'agency' : 'public';
}
