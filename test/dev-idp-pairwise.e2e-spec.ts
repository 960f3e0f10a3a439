import { decodeJwt } from 'jose';
import { TEST_AGENCY_REDIRECT_URI, testEnv } from './setup/test-env';
import { citizenIdOf } from './support/citizen-ids';
import { TEST_AUDIENCE } from './support/citizen-tokens';
import { signInThroughDevIdp } from './support/oidc-login';
import { startTestGateway } from './support/test-gateway';

const signIn = (clientId: string, redirectUri: string, login: string) =>
  signInThroughDevIdp({ issuer: testEnv('oidcIssuer'), clientId, redirectUri, resource: TEST_AUDIENCE, login });

/** The id_token claims of a sign-in as `login` through `clientId` at the shared dev IdP. */
async function idTokenClaims(clientId: string, redirectUri: string, login: string) {
  return decodeJwt((await signIn(clientId, redirectUri, login)).idToken);
}

describe("The development IdP gives the agencies pairwise subjects, their sectors' identifiers", () => {
  it("gives afe the education sector's identifier of the citizen, as the gateway derives it", async () => {
    const claims = await idTokenClaims('afe', TEST_AGENCY_REDIRECT_URI, 'demo-citizen-1');
    expect(claims.aud).toBe('afe');
    expect(claims.sub).toBe(citizenIdOf('afe', 'demo-citizen-1'));
  });

  it("gives mess the solidarity sector's identifier: another than afe's, and not the pivot", async () => {
    const claims = await idTokenClaims('mess', TEST_AGENCY_REDIRECT_URI, 'demo-citizen-1');
    expect(claims.sub).toBe(citizenIdOf('mess', 'demo-citizen-1'));
    expect(claims.sub).not.toBe(citizenIdOf('afe', 'demo-citizen-1'));
    expect(claims.sub).not.toBe('demo-citizen-1');
  });

  it('names the citizen by the same identifier in the access token (oidc-provider applies pairwise subjects there too)', async () => {
    const { accessToken } = await signIn('afe', TEST_AGENCY_REDIRECT_URI, 'demo-citizen-1');
    expect(decodeJwt(accessToken).sub).toBe(citizenIdOf('afe', 'demo-citizen-1'));
  });

  it('gets an agency’s token no answer from the citizen API: it speaks for a service, not for the citizen', async () => {
    const { accessToken } = await signIn('afe', TEST_AGENCY_REDIRECT_URI, 'demo-citizen-1');
    const gateway = await startTestGateway();
    try {
      const refused = await fetch(`${gateway.publicUrl}/v1/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(refused.status).toBe(401);
      const portal = await signIn('passerelle-portal', 'http://127.0.0.1/auth/callback', 'demo-citizen-1');
      const me = await fetch(`${gateway.publicUrl}/v1/me`, {
        headers: { authorization: `Bearer ${portal.accessToken}` },
      });
      expect(await me.json()).toMatchObject({ subject: 'demo-citizen-1' });
    } finally {
      await gateway.stop();
    }
  });

  it('gives one agency one identifier per citizen', async () => {
    const claims = await idTokenClaims('retraite-qc', TEST_AGENCY_REDIRECT_URI, 'demo-citizen-2');
    expect(claims.sub).toBe(citizenIdOf('retraite-qc', 'demo-citizen-2'));
    expect(claims.sub).not.toBe(citizenIdOf('retraite-qc', 'demo-citizen-1'));
  });

  it('still gives the portal the pivot id (public subject)', async () => {
    const claims = await idTokenClaims('passerelle-portal', 'http://127.0.0.1/auth/callback', 'demo-citizen-1');
    expect(claims.sub).toBe('demo-citizen-1');
  });

  it("refuses an agency's sign-in to another redirect URI", async () => {
    await expect(idTokenClaims('afe', 'http://127.0.0.1/auth/callback', 'demo-citizen-1')).rejects.toThrow();
  });
});
