import type { FastifyRequest } from 'fastify';
import type { CitizenPrincipal, CitizenTokenVerifier } from './citizen-token.verifier';

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = typeof header === 'string' ? /^Bearer +([^\s]+) *$/i.exec(header) : null;
  return match === null ? undefined : match[1];
}

const verified = new WeakMap<FastifyRequest, Promise<CitizenPrincipal>>();

/**
 * The request's bearer token, verified once per request: admission on the
 * public listener checks it before the body is read, and the guard reuses
 * that answer rather than verifying the signature again.
 */
export function verifyBearerOnce(
  request: FastifyRequest,
  token: string,
  verifier: CitizenTokenVerifier,
): Promise<CitizenPrincipal> {
  let result = verified.get(request);
  if (result === undefined) {
    result = verifier.verify(token);
    verified.set(request, result);
  }
  return result;
}

/**
 * Whether the request carries a bearer token that verifies. Any failure (a
 * forged token, an unreachable IdP) counts as none: the request is then
 * admitted as anonymous, and the guard answers it as it always does.
 */
export async function hasVerifiedBearer(request: FastifyRequest, verifier: CitizenTokenVerifier): Promise<boolean> {
  const token = bearerToken(request.headers.authorization);
  if (token === undefined) return false;
  try {
    await verifyBearerOnce(request, token, verifier);
    return true;
  } catch {
    return false;
  }
}
