import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { testEnv } from '../setup/test-env';
import { grantConsent } from './citizen-api';
import { startGateway, type Gateway } from './gateway-process';
import { createTestDatabase } from './test-gateway';

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
    DEV_MAIL: 'false',
    OIDC_ISSUER: testEnv('oidcIssuer'),
    // Many gateways share the run's PostgreSQL server: two connections kept each, not half the pool.
    DB_POOL_MIN: '2',
  };
}

/**
 * A gateway process on a fresh test database (environment `env` on top of
 * sharedTestEnv, Node and V8 flags `nodeArgs`), where `citizen` has consented
 * to mess's `saaq.adresse` requests for social assistance.
 */
export async function startChildGateway(
  name: string,
  citizen: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Gateway> {
  const gateway = await startGateway({
    databaseUrl: await createTestDatabase(),
    dir: mkdtempSync(join(testEnv('root'), `${name}-`)),
    env: { ...sharedTestEnv(), ...env },
    nodeArgs,
  });
  const granted = await grantConsent(`http://127.0.0.1:${gateway.publicPort}`, citizen, {
    requester: 'mess',
    purpose: 'mess.aide-sociale',
    products: ['saaq.adresse'],
  });
  if (granted.status !== 201) throw new Error(`the consent was not granted (${granted.status})`);
  return gateway;
}
