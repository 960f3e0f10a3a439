import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { DEV_IDP_ALGORITHM, type DevIdpKey } from './dev-idp-key';

export interface DevTokenClaims {
  issuer: string;
  audience: string;
  /** The citizen's pivot id, or `demo-officer`. */
  subject: string;
  roles?: string[];
  roleClaim?: string;
  ttlSeconds?: number;
}

/**
 * An access token as the dev IdP issues them (RFC 9068 JWT profile), signed
 * with its key, for `npm run cli -- dev token` and the tests.
 */
export function mintDevToken(key: DevIdpKey, claims: DevTokenClaims): Promise<string> {
  const roles = claims.roles ?? [];
  return new SignJWT(roles.length > 0 ? { [claims.roleClaim ?? 'roles']: roles } : {})
    .setProtectedHeader({ alg: DEV_IDP_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 3600}s`)
    .setJti(randomUUID())
    .sign(key.privateKey);
}
