import { loadDevIdpKey, type DevIdpKey } from '../../src/citizen-auth/dev-idp/dev-idp-key';
import { mintDevToken } from '../../src/citizen-auth/dev-idp/dev-token';
import { testEnv } from '../setup/test-env';

export const TEST_AUDIENCE = 'urn:passerelle:api';

let key: Promise<DevIdpKey> | undefined;

/** The shared dev IdP's signing key, as `npm run cli -- dev token` uses it. */
export function devIdpKey(): Promise<DevIdpKey> {
  key ??= loadDevIdpKey(testEnv('idpKeyFile'));
  return key;
}

/** A bearer token of the shared dev IdP for `subject`, as `npm run cli -- dev token` prints it. */
export async function citizenToken(subject: string, roles: string[] = []): Promise<string> {
  return mintDevToken(await devIdpKey(), { issuer: testEnv('oidcIssuer'), audience: TEST_AUDIENCE, subject, roles });
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
