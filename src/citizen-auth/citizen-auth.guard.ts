import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DomainError } from '../platform/errors/domain-error';
import { bearerToken, verifyBearerOnce } from './bearer';
import { CitizenTokenVerifier, IdpUnavailable, TokenRejected, type CitizenPrincipal } from './citizen-token.verifier';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by CitizenAuthGuard from a verified bearer token. */
    citizen?: CitizenPrincipal;
  }
}

const ROLE_METADATA = 'passerelle:required-role';

/** The route is for holders of `role` only (e.g. `privacy-officer`); others get 403. */
export const RequireRole = (role: string): MethodDecorator & ClassDecorator => SetMetadata(ROLE_METADATA, role);

/**
 * Bearer authentication for the citizen and officer APIs (RFC 6750 §2.1,
 * header only). Every token failure answers the same 401; the log keeps a
 * reason code. A token in the query string is refused even when a header
 * carries a valid one: URLs end up in logs and browser histories.
 */
@Injectable()
export class CitizenAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: CitizenTokenVerifier,
    private readonly reflector: Reflector,
    @InjectPinoLogger('citizen-auth') private readonly logger: PinoLogger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.authenticate(request);
    const role = this.reflector.getAllAndOverride<string | undefined>(ROLE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (role !== undefined && !principal.roles.includes(role)) throw new DomainError('forbidden');
    request.citizen = principal;
    return true;
  }

  private async authenticate(request: FastifyRequest): Promise<CitizenPrincipal> {
    if (/[?&]access_token=/i.test(request.url)) return this.reject(request, 'token-in-query');
    const header = request.headers.authorization;
    const token = bearerToken(header);
    if (token === undefined) return this.reject(request, header === undefined ? 'no-token' : 'not-bearer');
    try {
      return await verifyBearerOnce(request, token, this.verifier);
    } catch (error) {
      if (error instanceof TokenRejected) return this.reject(request, error.reason);
      if (error instanceof IdpUnavailable) {
        this.logger.warn({ event: 'idp-unavailable', correlationId: request.id, reason: error.message });
        throw new DomainError('idp-unavailable', undefined, { retryAfterSeconds: 5 });
      }
      throw error;
    }
  }

  private reject(request: FastifyRequest, reason: string): never {
    this.logger.info({ event: 'citizen-token-rejected', correlationId: request.id, reason }, 'bearer token refused');
    throw new DomainError('unauthorized');
  }
}
