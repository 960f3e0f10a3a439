import { sign, verify, type KeyObject } from 'node:crypto';
import { flattenedVerify, type JWK, importJWK } from 'jose';
import { SIGNING_ALGORITHM, type SigningKey } from './signing-key';

/** The protected header of each key's signatures, encoded once. */
const headers = new WeakMap<SigningKey, string>();

function protectedHeader(key: SigningKey): string {
  let header = headers.get(key);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify({ alg: SIGNING_ALGORITHM, kid: key.kid })).toString('base64url');
    headers.set(key, header);
  }
  return header;
}

/**
 * A detached JWS (RFC 7515 appendix F) over exact bytes: `header..signature`,
 * the payload being the bytes sent. The receiver verifies it with the key
 * `kid` names in /.well-known/jwks.json (jose does, in the tests).
 *
 * Signed with node:crypto rather than jose's WebCrypto path: it runs on every
 * exchange, and a synchronous ES256 signature costs about a quarter of the CPU.
 * ES256 signatures are the raw 64-byte r||s (RFC 7518 §3.4), hence IEEE P1363.
 */
export function signDetached(payload: Uint8Array, key: SigningKey): string {
  const header = protectedHeader(key);
  const input = `${header}.${Buffer.from(payload).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input, 'ascii'), { key: key.signer, dsaEncoding: 'ieee-p1363' });
  return `${header}..${signature.toString('base64url')}`;
}

/**
 * A compact JWS (header.payload.signature) over `payload`, with `typ` in its
 * protected header, signed synchronously like signDetached: the audit
 * sequencer signs the head of every batch with it.
 */
export function signCompact(payload: Uint8Array, key: SigningKey, typ: string): string {
  const header = Buffer.from(JSON.stringify({ alg: SIGNING_ALGORITHM, kid: key.kid, typ })).toString('base64url');
  const input = `${header}.${Buffer.from(payload).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input, 'ascii'), { key: key.signer, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * The payload of a compact JWS typed `typ`, if `publicKey` (ES256) signed it;
 * undefined otherwise. Synchronous, like signCompact: the audit sequencer
 * checks another node's signed head with it before a batch.
 */
export function verifyCompact(jws: string, publicKey: KeyObject, typ: string): Buffer | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts;
  try {
    const fields = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; typ?: unknown };
    if (fields.alg !== SIGNING_ALGORITHM || fields.typ !== typ) return undefined;
    const input = Buffer.from(`${header}.${payload}`, 'ascii');
    const valid = verify(
      'sha256',
      input,
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    return valid ? Buffer.from(payload, 'base64url') : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies a detached JWS against the bytes received. Resolves false rather than throwing. */
export async function verifyDetached(detached: string, payload: Uint8Array, publicJwk: JWK): Promise<boolean> {
  const [header, empty, signature] = detached.split('.');
  if (header === undefined || empty !== '' || signature === undefined) return false;
  try {
    const encoded = Buffer.from(payload).toString('base64url');
    await flattenedVerify(
      { protected: header, payload: encoded, signature },
      await importJWK(publicJwk, SIGNING_ALGORITHM),
    );
    return true;
  } catch {
    return false;
  }
}
