/**
 * The development OpenID Provider as a process of its own, started by
 * `npm start` beside the gateway (oidc-provider and its Koa stack stay out of
 * the gateway's process). It reports its issuer to the parent over IPC.
 */
import { runAsChildService } from '../../platform/child-service';
import { startDevIdp } from './dev-idp';
import { loadDevIdpKey } from './dev-idp-key';

runAsChildService(async () => {
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`${name} is required`);
    return value;
  };
  const idp = await startDevIdp({
    host: process.env.DEV_IDP_HOST ?? '127.0.0.1',
    port: Number(env('DEV_IDP_PORT')),
    key: await loadDevIdpKey(env('DEV_IDP_KEY_FILE')),
    audience: env('OIDC_AUDIENCE'),
    roleClaim: env('OIDC_ROLE_CLAIM'),
    portalClient: { clientId: env('DEV_IDP_PORTAL_CLIENT_ID'), redirectUris: env('DEV_IDP_REDIRECT_URIS').split(',') },
  });
  return { detail: idp.issuer, close: () => idp.close() };
});
