import { CompactSign, flattenedVerify, type JWK, importJWK } from 'jose';
import { SIGNING_ALGORITHM, type SigningKey } from './signing-key';

/**
 * A detached JWS (RFC 7515 appendix F) over exact bytes: `header..signature`,
 * the payload being the bytes sent. The receiver verifies it with the key
 * `kid` names in /.well-known/jwks.json.
 */
export async function signDetached(payload: Uint8Array, key: SigningKey): Promise<string> {
  const jws = await new CompactSign(payload)
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid })
    .sign(key.privateKey);
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
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
