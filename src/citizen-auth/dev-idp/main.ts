/**
 * The development OpenID Provider as a process of its own, started by
 * `npm start` beside the gateway (oidc-provider and its Koa stack stay out of
 * the gateway's process). It reports its issuer to the parent over IPC.
 */
import { loadSectorKey } from '../../identity/sector-key';
import { runAsChildService } from '../../platform/child-service';
import { type DevIdpAgencies, type DevIdpAgencyClient, startDevIdp } from './dev-idp';
import { loadDevIdpKey } from './dev-idp-key';

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');

/** DEV_IDP_AGENCY_CLIENTS: JSON, `[{ clientId, sector, redirectUris }]`. */
function agencyClientsOf(text: string): DevIdpAgencyClient[] {
  let clients: unknown;
  try {
    clients = JSON.parse(text);
  } catch {
    throw new Error('DEV_IDP_AGENCY_CLIENTS: not JSON');
  }
  if (!Array.isArray(clients)) throw new Error('DEV_IDP_AGENCY_CLIENTS: not a JSON array');
  return clients.map((client: Partial<Record<keyof DevIdpAgencyClient, unknown>>) => {
    const { clientId, sector, redirectUris } = client;
    if (typeof clientId !== 'string' || typeof sector !== 'string' || !isStrings(redirectUris)) {
      throw new Error('DEV_IDP_AGENCY_CLIENTS: each client needs a clientId, a sector and redirectUris');
    }
    return { clientId, sector, redirectUris };
  });
}

runAsChildService(async () => {
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`${name} is required`);
    return value;
  };
  const clients = agencyClientsOf(process.env.DEV_IDP_AGENCY_CLIENTS ?? '[]');
  // The key the gateway reads: the agencies' pairwise subjects are its sector identifiers.
  const agencies: DevIdpAgencies | undefined =
    clients.length === 0 ? undefined : { clients, sectorKey: await loadSectorKey(env('SECTOR_KEY_FILE'), false) };
  const idp = await startDevIdp({
    host: process.env.DEV_IDP_HOST ?? '127.0.0.1',
    port: Number(env('DEV_IDP_PORT')),
    key: await loadDevIdpKey(env('DEV_IDP_KEY_FILE')),
    audience: env('OIDC_AUDIENCE'),
    roleClaim: env('OIDC_ROLE_CLAIM'),
    portalClient: { clientId: env('DEV_IDP_PORTAL_CLIENT_ID'), redirectUris: env('DEV_IDP_REDIRECT_URIS').split(',') },
    agencies,
  });
  return { detail: idp.issuer, close: () => idp.close() };
});
