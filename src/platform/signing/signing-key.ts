import { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  calculateJwkThumbprint,
  type CryptoKey,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type JWK,
} from 'jose';

export const SIGNING_ALGORITHM = 'ES256';

/** The gateway's response-signing key: the private half signs, the public half is published. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The same private key for node:crypto, which signs synchronously on the hot path. */
  signer: KeyObject;
  publicJwk: JWK;
}

/** Development only: creates an ES256 key in PKCS#8 PEM if the file is missing. */
export async function ensureDevSigningKey(file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, await exportPKCS8(privateKey), { mode: 0o600 });
  return true;
}

/**
 * Loads the key once at boot; the key id is its RFC 7638 thumbprint, so it
 * changes exactly when the key does. In production the file is provisioned
 * (a mounted secret); a missing or malformed file stops the start.
 */
export async function loadSigningKey(file: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch {
    throw new Error(`SIGNING_KEY_FILE: cannot read ${file}`);
  }
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(pem, SIGNING_ALGORITHM, { extractable: true });
  } catch {
    throw new Error(`SIGNING_KEY_FILE: ${file} is not a PKCS#8 P-256 private key`);
  }
  const { kty, crv, x, y } = await exportJWK(privateKey);
  const publicPart: JWK = { kty, crv, x, y };
  const kid = await calculateJwkThumbprint(publicPart);
  return {
    kid,
    privateKey,
    signer: KeyObject.from(privateKey),
    publicJwk: { ...publicPart, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
  };
}
