import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { CitizenAuthConfig } from '../platform/config/config';

/** Who a verified bearer token speaks for. */
export interface CitizenPrincipal {
  /** The citizen's pivot id (the token's `sub`), or an officer's id. */
  subject: string;
  roles: readonly string[];
}

/** The token is not acceptable. `reason` is for logs: a code, never the token or its claims. */
export class TokenRejected extends Error {
  constructor(readonly reason: string) {
    super(`token rejected: ${reason}`);
    this.name = 'TokenRejected';
  }
}

/** The IdP's discovery document or keys cannot be fetched: no token can be checked. */
export class IdpUnavailable extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`identity provider unavailable: ${reason}`, options);
    this.name = 'IdpUnavailable';
  }
}

/** Asymmetric algorithms only: an HS256 token "signed" with the IdP's public key must never pass. */
export const ACCEPTED_ALGORITHMS = ['ES256', 'PS256', 'RS256', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 60;
const MAX_TOKEN_LENGTH = 8192;
const DISCOVERY_TIMEOUT_MS = 3000;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const SUBJECT = /^[\x21-\x7e]{1,128}$/;

/**
 * Verifies citizens' and officers' bearer JWTs against the configured issuer.
 * The JWKS location comes from OIDC discovery, fetched once (again only after
 * a failure); jose's remote key set caches the keys and refetches when an
 * unknown `kid` shows up, at most once per cooldown.
 */
export class CitizenTokenVerifier {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(
    private readonly config: Pick<CitizenAuthConfig, 'issuer' | 'audience' | 'roleClaim'> &
      Partial<Pick<CitizenAuthConfig, 'portalClientId'>>,
  ) {}

  async verify(token: string): Promise<CitizenPrincipal> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw new TokenRejected('malformed');
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iss', 'aud', 'sub'],
      }));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout) throw new IdpUnavailable('JWKS timeout', { cause: error });
      // jose throws TypeError for a key that does not fit the algorithm (HS256 with a public key).
      throw new TokenRejected(error instanceof errors.JOSEError ? error.code : 'invalid');
    }
    if (typeof payload.sub !== 'string' || !SUBJECT.test(payload.sub)) throw new TokenRejected('bad subject');
    // A token the IdP issued to another client (an agency's service, whose subject is the sector's pairwise
    // identifier, not the citizen's pivot id) does not speak for the citizen here.
    const client = payload.client_id;
    if (this.config.portalClientId !== undefined && client !== undefined && client !== this.config.portalClientId) {
      throw new TokenRejected('other client');
    }
    return { subject: payload.sub, roles: rolesOf(payload[this.config.roleClaim]) };
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discover().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const issuer = this.config.issuer.replace(/\/+$/, '');
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      throw new IdpUnavailable('discovery failed', { cause: error });
    }
    // OIDC Discovery §4.3: the document must name the issuer it was fetched for.
    if (document.issuer !== this.config.issuer || typeof document.jwks_uri !== 'string') {
      throw new IdpUnavailable('discovery document does not match the configured issuer');
    }
    const jwksUri = new URL(document.jwks_uri);
    if (jwksUri.protocol !== 'https:' && jwksUri.protocol !== 'http:') {
      throw new IdpUnavailable('jwks_uri is not an HTTP URL');
    }
    return createRemoteJWKSet(jwksUri, {
      timeoutDuration: DISCOVERY_TIMEOUT_MS,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
  }
}

function rolesOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((role): role is string => typeof role === 'string');
  return typeof claim === 'string' ? claim.split(' ').filter((role) => role !== '') : [];
}
