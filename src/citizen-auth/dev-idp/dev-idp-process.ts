import { join } from 'node:path';
import { forkService, type ChildService } from '../../platform/child-service';
import type { DevIdpAgencyClient } from './dev-idp';

export interface DevIdpProcessOptions {
  port: number;
  keyFile: string;
  audience: string;
  roleClaim: string;
  portalClientId: string;
  redirectUris: string[];
  /** The agencies' pairwise clients, and the file of the sector identifier key that derives their subjects. */
  agencies?: { clients: DevIdpAgencyClient[]; sectorKeyFile: string };
  /** The compiled entry point; tests running from sources name dist's. */
  script?: string;
}

/** Forks the dev IdP's process; its detail is the issuer URL. */
export function startDevIdpProcess(options: DevIdpProcessOptions): Promise<ChildService<string>> {
  return forkService<string>('the development IdP', options.script ?? join(__dirname, 'main.js'), {
    DEV_IDP_PORT: String(options.port),
    DEV_IDP_KEY_FILE: options.keyFile,
    OIDC_AUDIENCE: options.audience,
    OIDC_ROLE_CLAIM: options.roleClaim,
    DEV_IDP_PORTAL_CLIENT_ID: options.portalClientId,
    DEV_IDP_REDIRECT_URIS: options.redirectUris.join(','),
    // Always set: the IdP must not take agency clients from the parent's environment.
    DEV_IDP_AGENCY_CLIENTS: JSON.stringify(options.agencies?.clients ?? []),
    ...(options.agencies === undefined ? {} : { SECTOR_KEY_FILE: options.agencies.sectorKeyFile }),
  });
}
