import type { Grant, KoaContextWithOIDC } from 'oidc-provider';

/** What an authorization request asks for, as the grant that answers it records it. */
export interface RequestedAccess {
  /** The OpenID scopes asked for (`openid roles profile email`), among those the IdP knows. */
  oidcScopes: string[];
  /** Claims asked for by name (the `claims` parameter). */
  claims: string[];
  /** Per resource indicator, the requested scopes that its resource server knows. */
  resourceScopes: Record<string, string[]>;
}

/** Pure: what the request asks for, from its scopes and claims and the resource servers it names. */
export function requestedAccess(
  requestedScopes: Iterable<string>,
  oidcScopes: ReadonlySet<string>,
  requestedClaims: Iterable<string>,
  resourceServers: Record<string, { scope: string }>,
): RequestedAccess {
  const scopes = [...requestedScopes];
  return {
    oidcScopes: scopes.filter((scope) => oidcScopes.has(scope)),
    claims: [...requestedClaims],
    resourceScopes: Object.fromEntries(
      Object.entries(resourceServers).map(([indicator, server]) => {
        const known = new Set(server.scope.split(' '));
        return [indicator, scopes.filter((scope) => known.has(scope))];
      }),
    ),
  };
}

/**
 * oidc-provider's `loadExistingGrant`. Every client this IdP knows is a
 * first-party service (the portal, the demo agencies), registered by
 * configuration, never dynamically: a person is not asked to consent to what
 * the administration's own services need, as at the government IdP. So the
 * grant covers what the request asks for, and the consent prompt never
 * shows. The session's earlier grant for the client is extended, not
 * replaced.
 */
export async function grantRequestedAccess(ctx: KoaContextWithOIDC, oidcScopes: ReadonlySet<string>): Promise<Grant> {
  const { oidc } = ctx;
  const accountId = oidc.account?.accountId;
  const clientId = oidc.client?.clientId;
  if (accountId === undefined || clientId === undefined) throw new Error('a grant needs an account and a client');
  const { Grant } = oidc.provider;
  const grantId = oidc.session?.grantIdFor(clientId);
  const existing = grantId === undefined ? undefined : await Grant.find(grantId);
  const grant = existing?.accountId === accountId ? existing : new Grant({ accountId, clientId });
  const access = requestedAccess(
    oidc.requestParamScopes,
    oidcScopes,
    oidc.requestParamClaims,
    oidc.resourceServers ?? {},
  );
  if (access.oidcScopes.length > 0) grant.addOIDCScope(access.oidcScopes.join(' '));
  if (access.claims.length > 0) grant.addOIDCClaims(access.claims);
  for (const [indicator, scopes] of Object.entries(access.resourceScopes)) {
    if (scopes.length > 0) grant.addResourceScope(indicator, scopes.join(' '));
  }
  await grant.save();
  return grant;
}
