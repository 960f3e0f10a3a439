import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { listenOn } from '../../platform/net/listen';
import { DEV_ACCOUNTS } from './dev-accounts';
import { DEV_IDP_ALGORITHM, type DevIdpKey } from './dev-idp-key';

export interface DevIdpOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The issuer's host name as clients will use it (`localhost` in dev). */
  publicHost?: string;
  key: DevIdpKey;
  /** The `aud` of the access tokens it issues: the gateway's API. */
  audience: string;
  roleClaim: string;
  /** The portal's OIDC client. */
  portalClient: { clientId: string; redirectUris: string[] };
}

export interface RunningDevIdp {
  issuer: string;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (oidc-provider) for development: authorization code
 * with PKCE for the portal, the provider's own development login pages, and
 * RFC 9068 JWT access tokens for the gateway's API, signed with the key that
 * `npm run cli -- dev token` uses too. It knows the demo citizens and the
 * demo privacy officer and nobody else. Never started in production.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  const server: Server = createServer();
  const port = await listenOn(server, options.port, options.host);
  const issuer = `http://${options.publicHost ?? 'localhost'}:${port}`;
  const provider = new Provider(issuer, configuration(options));
  const handle = provider.callback();
  server.on('request', (request, response) => {
    void handle(request, response);
  });
  return {
    issuer,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function configuration({ key, audience, roleClaim, portalClient }: DevIdpOptions): Configuration {
  const rolesOf = (accountId: string | undefined): string[] =>
    (accountId === undefined ? undefined : DEV_ACCOUNTS.get(accountId)?.roles) ?? [];
  return {
    clients: [
      {
        client_id: portalClient.clientId,
        redirect_uris: portalClient.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: DEV_IDP_ALGORITHM,
      },
    ],
    pkce: { methods: ['S256'], required: () => true },
    jwks: { keys: [{ ...key.privateJwk, alg: DEV_IDP_ALGORITHM, use: 'sig' }] },
    enabledJWA: { idTokenSigningAlgValues: [DEV_IDP_ALGORITHM] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], roles: [roleClaim] },
    scopes: ['openid', 'roles'],
    findAccount: (_ctx, id) => {
      const account = DEV_ACCOUNTS.get(id);
      if (account === undefined) return undefined;
      return { accountId: id, claims: () => ({ sub: id, [roleClaim]: account.roles }) };
    },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'openid roles',
          audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
          jwt: { sign: { alg: DEV_IDP_ALGORITHM } },
        }),
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const roles = rolesOf('accountId' in token ? token.accountId : undefined);
      return roles.length > 0 ? { [roleClaim]: roles } : undefined;
    },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
  };
}
