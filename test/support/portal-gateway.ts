import { join } from 'node:path';
import { startDevIdpProcess } from '../../src/citizen-auth/dev-idp/dev-idp-process';
import type { ChildService } from '../../src/platform/child-service';
import { testEnv } from '../setup/test-env';
import { startTestGateway, type TestGateway } from './test-gateway';
import { freePort } from '../../src/platform/net/listen';

const DEV_IDP_MAIN = join(__dirname, '..', '..', 'dist', 'citizen-auth', 'dev-idp', 'main.js');

export interface PortalGateway extends TestGateway {
  issuer: string;
}

/**
 * A gateway (environment `env` on top of the test defaults) whose portal signs
 * in at its own development IdP: the IdP must know the portal's callback, so
 * the public port is chosen first.
 */
export async function startPortalGateway(env: Record<string, string> = {}): Promise<PortalGateway> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp: ChildService<string> = await startDevIdpProcess({
    script: DEV_IDP_MAIN,
    port: 0,
    keyFile: testEnv('idpKeyFile'),
    audience: 'urn:passerelle:api',
    roleClaim: 'roles',
    portalClientId: 'passerelle-portal',
    redirectUris: [`${base}/auth/callback`],
  });
  try {
    const gateway = await startTestGateway({
      env: { ...env, PUBLIC_PORT: String(port), PUBLIC_BASE_URL: base, OIDC_ISSUER: idp.detail },
    });
    return {
      ...gateway,
      issuer: idp.detail,
      stop: async () => {
        await gateway.stop();
        await idp.stop();
      },
    };
  } catch (error) {
    await idp.stop();
    throw error;
  }
}
