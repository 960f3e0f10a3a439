import { testEnv } from '../setup/test-env';

/**
 * The run's PKI, identity provider and fault-free demo sources, as the
 * in-process e2e gateways use them: the child starts no companions of its
 * own, so its resident set is the gateway's alone.
 */
export function sharedTestEnv(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    CERTS_DIR: testEnv('certsDir'),
    GENERATE_DEV_PKI: 'false',
    DEMO_SEED: 'true',
    SIMULATORS: 'false',
    SOURCE_ENDPOINTS: testEnv('sourceEndpoints'),
    DEV_IDP: 'false',
    OIDC_ISSUER: testEnv('oidcIssuer'),
  };
}
