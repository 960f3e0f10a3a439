import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';

/**
 * Routes that carry a citizen's id take it in the body only: URLs end up in
 * access logs, proxies and browser histories. Any query string is refused.
 */
export function refuseQueryString(request: FastifyRequest): void {
  if (request.url.includes('?')) {
    throw new DomainError(
      'invalid-request',
      'This route takes no query parameters: the citizen id travels in the body',
      {
        extensions: { errors: [{ pointer: 'query', message: 'must be empty' }] },
      },
    );
  }
}
