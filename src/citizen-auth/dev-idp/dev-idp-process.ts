import { join } from 'node:path';
import { forkService, type ChildService } from '../../platform/child-service';

export interface DevIdpProcessOptions {
  port: number;
  keyFile: string;
  audience: string;
  roleClaim: string;
  portalClientId: string;
  redirectUris: string[];
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
  });
}
