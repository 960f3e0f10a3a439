import { requestedAccess } from './dev-idp-grants';

describe('What an authorization request asks the dev IdP for', () => {
  const OIDC = new Set(['openid', 'roles', 'profile', 'email']);
  const API = { 'urn:passerelle:api': { scope: 'openid roles' } };

  it('grants the portal its OpenID scopes, and the API the scopes its resource server knows', () => {
    expect(requestedAccess(['openid', 'roles', 'profile', 'email'], OIDC, [], API)).toEqual({
      oidcScopes: ['openid', 'roles', 'profile', 'email'],
      claims: [],
      resourceScopes: { 'urn:passerelle:api': ['openid', 'roles'] },
    });
  });

  it('grants no scope that the IdP does not know, and the claims asked for by name', () => {
    expect(requestedAccess(['openid', 'admin'], OIDC, new Set(['email']), {})).toEqual({
      oidcScopes: ['openid'],
      claims: ['email'],
      resourceScopes: {},
    });
  });

  it('grants a resource server none of the scopes it does not know', () => {
    expect(requestedAccess(['profile'], OIDC, [], API).resourceScopes).toEqual({ 'urn:passerelle:api': [] });
  });
});
