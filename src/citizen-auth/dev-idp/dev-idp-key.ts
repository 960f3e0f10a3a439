import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const DEV_IDP_ALGORITHM = 'ES256';

/** The dev IdP's signing key, as a private JWK with its kid (RFC 7638 thumbprint). */
export interface DevIdpKey {
  kid: string;
  privateJwk: JWK;
  privateKey: CryptoKey;
}

/** Development only: creates the dev IdP's ES256 key (a private JWK, mode 0600) if the file is missing. */
export async function ensureDevIdpKey(file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  const { privateKey } = await generateKeyPair(DEV_IDP_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ ...jwk, kid, alg: DEV_IDP_ALGORITHM, use: 'sig' }), { mode: 0o600 });
  return true;
}

export async function loadDevIdpKey(file: string): Promise<DevIdpKey> {
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch {
    throw new Error(`DEV_IDP_KEY_FILE: cannot read a JWK from ${file}`);
  }
  if (typeof privateJwk.kid !== 'string' || privateJwk.d === undefined) {
    throw new Error(`DEV_IDP_KEY_FILE: ${file} is not a private JWK with a kid`);
  }
  const privateKey = (await importJWK(privateJwk, DEV_IDP_ALGORITHM)) as CryptoKey;
  return { kid: privateJwk.kid, privateJwk, privateKey };
}
