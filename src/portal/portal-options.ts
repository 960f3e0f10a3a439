import { publicBaseOf, type AppConfig } from '../platform/config/config';
import type { PortalOidcSettings } from './portal-oidc';

export const PORTAL_OPTIONS = Symbol('PORTAL_OPTIONS');

export interface PortalOptions {
  oidc: PortalOidcSettings;
  /** Session cookies are Secure everywhere but development and tests (plain HTTP on localhost). */
  secureCookies: boolean;
}

/** Where the IdP sends the browser back after sign-in. */
export function portalRedirectUri(config: Pick<AppConfig, 'publicBaseUrl' | 'publicPort'>): string {
  return `${publicBaseOf(config)}/auth/callback`;
}

export function portalOptionsOf(config: AppConfig): PortalOptions {
  return {
    oidc: {
      issuer: config.citizenAuth.issuer,
      clientId: config.citizenAuth.portalClientId,
      redirectUri: portalRedirectUri(config),
      audience: config.citizenAuth.audience,
    },
    secureCookies: config.env === 'production',
  };
}
