import { hkdfSync } from 'node:crypto';
import { publicBaseOf, type AppConfig } from '../platform/config/config';
import type { PortalOidcSettings } from './portal-oidc';

export const PORTAL_OPTIONS = Symbol('PORTAL_OPTIONS');

export interface PortalOptions {
  oidc: PortalOidcSettings;
  /** Session cookies are Secure everywhere but development and tests (plain HTTP on localhost). */
  secureCookies: boolean;
  /** Seals the sign-in cookie (AES-256-GCM); derived from the pseudonym key, kept apart from its other uses by HKDF. */
  loginKey: Uint8Array;
}

/** Where the IdP sends the browser back after sign-in. */
export function portalRedirectUri(config: Pick<AppConfig, 'publicBaseUrl' | 'publicPort'>): string {
  return `${publicBaseOf(config)}/auth/callback`;
}

/**
 * A key of the portal's own, derived from the pseudonym key: one secret to
 * provision, each use kept apart from the others by its HKDF label.
 */
export function portalKey(pseudonymKey: Uint8Array, use: 'cookies' | 'sign-in'): Buffer {
  return Buffer.from(hkdfSync('sha256', pseudonymKey, Buffer.alloc(0), `passerelle portal ${use}`, 32));
}

export function portalOptionsOf(config: AppConfig, pseudonymKey: Uint8Array): PortalOptions {
  return {
    oidc: {
      issuer: config.citizenAuth.issuer,
      clientId: config.citizenAuth.portalClientId,
      redirectUri: portalRedirectUri(config),
      audience: config.citizenAuth.audience,
    },
    secureCookies: config.env === 'production',
    loginKey: new Uint8Array(portalKey(pseudonymKey, 'sign-in')),
  };
}
