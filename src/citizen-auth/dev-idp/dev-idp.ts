import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { SectorIdentifiers } from '../../identity/sector-identifier';
import { listenOn } from '../../platform/net/listen';
import { claimsOf, DEV_ACCOUNTS } from './dev-accounts';
import { grantRequestedAccess } from './dev-idp-grants';
import { interactionRoutes, reportFailure, securityHeaders } from './dev-idp-interactions';
import { DEV_IDP_ALGORITHM, type DevIdpKey } from './dev-idp-key';
import { chooseLanguage, type IdpLang } from './dev-idp-language';
import { errorPage, loggedOutPage, logoutPage } from './dev-idp-pages';

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
  /** The portal's OIDC client: public subjects, the pivot id. */
  portalClient: { clientId: string; redirectUris: string[] };
  /** The agencies' OIDC clients: pairwise subjects, each client its sector's identifier. */
  agencies?: DevIdpAgencies;
}

/** An agency's client: its id is the organisation's, its sector groups it with the sector's other agencies. */
export interface DevIdpAgencyClient {
  clientId: string;
  sector: string;
  redirectUris: string[];
}

export interface DevIdpAgencies {
  clients: DevIdpAgencyClient[];
  /** The sector identifier key, the gateway's: the IdP's pairwise subjects are the gateway's sector identifiers. */
  sectorKey: Uint8Array;
}

export interface RunningDevIdp {
  issuer: string;
  close(): Promise<void>;
}

/** The OpenID scopes the IdP knows; `claims` in the configuration says what each releases. */
const OIDC_SCOPES = ['openid', 'roles', 'profile', 'email'];

/**
 * oidc-provider's notices that this IdP accepts knowingly, being for
 * development only: its state (sessions, interactions, grants) lives in
 * memory and ends with the process. The provider prints it when no adapter
 * is configured (lib/helpers/initialize_adapter.js); a hand-written
 * in-memory adapter would only hide the same fact. Its other startup
 * warnings (development keys, cookie keys, default TTLs) are answered in
 * the configuration instead, and any other warning still shows.
 */
const ACCEPTED_WARNINGS = ['a quick start development-only in-memory adapter is used'];

function withoutAcceptedWarnings<T>(build: () => T): T {
  // eslint-disable-next-line no-console -- the provider warns through console.warn, synchronously while it is built
  const warn = console.warn;
  // eslint-disable-next-line no-console -- see above
  console.warn = (...args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : '';
    if (!ACCEPTED_WARNINGS.some((accepted) => text.includes(accepted))) warn(...args);
  };
  try {
    return build();
  } finally {
    // eslint-disable-next-line no-console -- see above
    console.warn = warn;
  }
}

/**
 * A real OpenID Provider (oidc-provider) for development: authorization code
 * with PKCE for the portal and the agencies' clients (pairwise subjects: the
 * sector identifiers), its own sign-in pages in the portal's style (choose a
 * demo account, no password, no consent step), and RFC 9068 JWT access
 * tokens for the gateway's API, signed with the key that
 * `npm run cli -- dev token` uses too. It knows the demo citizens and the
 * demo privacy officer and nobody else. Never started in production.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  const server: Server = createServer();
  const port = await listenOn(server, options.port, options.host);
  const issuer = `http://${options.publicHost ?? 'localhost'}:${port}`;
  const redirectUris = [options.portalClient, ...(options.agencies?.clients ?? [])].flatMap((c) => c.redirectUris);
  const portalHome = new URL('/', options.portalClient.redirectUris[0]).href;
  const provider = withoutAcceptedWarnings(() => new Provider(issuer, configuration(options, portalHome)));
  const pages = interactionRoutes({ provider, portalHome });
  const headers = securityHeaders(redirectUris);
  const handle = provider.callback();
  server.on('request', (request, response) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    pages(request, response)
      .then((answered) => (answered ? undefined : handle(request, response)))
      .catch((error: unknown) => {
        reportFailure('unanswered request', error instanceof Error ? error.message : String(error));
        if (!response.headersSent) response.statusCode = 500;
        response.end();
      });
  });
  return {
    issuer,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A public client (no secret) using the authorization code with PKCE. */
function publicClient(clientId: string, redirectUris: string[], subjectType: 'public' | 'pairwise'): ClientMetadata {
  return {
    client_id: clientId,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    id_token_signed_response_alg: DEV_IDP_ALGORITHM,
    subject_type: subjectType,
  };
}

/**
 * The pairwise subject of `accountId` for `clientId`: the identifier of the
 * client's sector (OIDC's sector identifier, here named by configuration
 * rather than by a sector_identifier_uri), derived as the gateway derives it.
 */
function pairwiseSubjects(agencies: DevIdpAgencies | undefined): (clientId: string, accountId: string) => string {
  const sectors = new Map(agencies?.clients.map((client) => [client.clientId, client.sector]));
  const identifiers = agencies === undefined ? undefined : new SectorIdentifiers(agencies.sectorKey);
  return (clientId, accountId) => {
    const sector = sectors.get(clientId);
    if (identifiers === undefined || sector === undefined) throw new Error(`no sector for client ${clientId}`);
    return identifiers.identifierOf(sector, accountId);
  };
}

/** The language of a page the provider renders: its request's `ui_locales`, else the browser's. */
function languageOf(ctx: KoaContextWithOIDC): IdpLang {
  // Absent when the request failed before the provider read its parameters.
  const params = ctx.oidc?.params as { ui_locales?: unknown } | undefined;
  return chooseLanguage({ uiLocales: params?.ui_locales, acceptLanguage: ctx.get('accept-language') });
}

function configuration(
  { key, audience, roleClaim, portalClient, agencies }: DevIdpOptions,
  portalHome: string,
): Configuration {
  const rolesOf = (accountId: string | undefined): string[] =>
    (accountId === undefined ? undefined : DEV_ACCOUNTS.get(accountId)?.roles) ?? [];
  const pairwiseSubject = pairwiseSubjects(agencies);
  return {
    clients: [
      publicClient(portalClient.clientId, portalClient.redirectUris, 'public'),
      ...(agencies?.clients ?? []).map((client) => publicClient(client.clientId, client.redirectUris, 'pairwise')),
    ],
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: (_ctx, accountId, client) => pairwiseSubject(client.clientId, accountId),
    pkce: { methods: ['S256'], required: () => true },
    // Its clients (the portal, the agencies' back ends) reach the token endpoint server to server; a page's
    // cross-origin call is refused, as the provider's default does, but by decision rather than with a warning.
    clientBasedCORS: () => false,
    jwks: { keys: [{ ...key.privateJwk, alg: DEV_IDP_ALGORITHM, use: 'sig' }] },
    enabledJWA: { idTokenSigningAlgValues: [DEV_IDP_ALGORITHM] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      roles: [roleClaim],
      profile: ['name', 'given_name', 'family_name', 'locale'],
      email: ['email', 'email_verified'],
    },
    scopes: OIDC_SCOPES,
    // The portal reads who signed in from the ID token (it does not call userinfo): the granted scopes' claims go in it.
    conformIdTokenClaims: false,
    discovery: { ui_locales_supported: ['fr', 'en'] },
    findAccount: (_ctx, id) => {
      const account = DEV_ACCOUNTS.get(id);
      if (account === undefined) return undefined;
      return { accountId: id, claims: () => claimsOf(id, account, roleClaim) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    loadExistingGrant: (ctx) => grantRequestedAccess(ctx, new Set(OIDC_SCOPES)),
    renderError: (ctx, out, error) => {
      const reference = reportFailure(out.error, out.error_description ?? error.message);
      ctx.type = 'html';
      ctx.body = errorPage(languageOf(ctx), reference, portalHome);
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(languageOf(ctx), form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = loggedOutPage(languageOf(ctx), portalHome);
        },
      },
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
