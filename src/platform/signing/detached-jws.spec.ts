import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { signDetached, verifyDetached } from './detached-jws';
import { ensureDevSigningKey, loadSigningKey, type SigningKey } from './signing-key';

describe('detached JWS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-jws-'));
  let key: SigningKey;

  beforeAll(async () => {
    await ensureDevSigningKey(join(dir, 'signing.pem'));
    key = await loadSigningKey(join(dir, 'signing.pem'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const payload = Buffer.from(JSON.stringify({ exchangeId: 'e-1', data: { ville: 'Montréal' } }));

  it('is header..signature, with the ES256 header naming the key', () => {
    const [header, empty, signature] = signDetached(payload, key).split('.');
    expect(empty).toBe('');
    expect(decodeProtectedHeader(`${header}.e30.`)).toEqual({ alg: 'ES256', kid: key.kid });
    // r||s of P-256: 64 bytes, not DER.
    expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
  });

  it('verifies with jose against the published key, over exactly the bytes signed', async () => {
    const detached = signDetached(payload, key);
    await expect(verifyDetached(detached, payload, key.publicJwk)).resolves.toBe(true);
    const altered = Buffer.from(payload.toString().replace('Montréal', 'Montreal'));
    await expect(verifyDetached(detached, altered, key.publicJwk)).resolves.toBe(false);
  });

  it('does not verify under another key', async () => {
    await ensureDevSigningKey(join(dir, 'other.pem'));
    const other = await loadSigningKey(join(dir, 'other.pem'));
    await expect(verifyDetached(signDetached(payload, key), payload, other.publicJwk)).resolves.toBe(false);
  });
});
