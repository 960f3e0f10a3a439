import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { signCompact } from '../platform/signing/detached-jws';
import { ensureDevSigningKey, loadSigningKey, type SigningKey } from '../platform/signing/signing-key';
import {
  HEAD_FILE,
  HEAD_TYP,
  HeadWriter,
  readHead,
  signHead,
  verifyHead,
  verifyHeadWith,
  writeHead,
  type SignedHead,
} from './signed-head';

const HEAD: SignedHead = { seq: 42, headHash: 'a'.repeat(64), at: '2026-11-23T12:00:00.000Z', state: 'appending' };

describe('the signed head', () => {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-head-'));
  let key: SigningKey;
  let other: SigningKey;
  let keys: JSONWebKeySet;

  beforeAll(async () => {
    await ensureDevSigningKey(join(dir, 'signing.pem'));
    await ensureDevSigningKey(join(dir, 'other.pem'));
    key = await loadSigningKey(join(dir, 'signing.pem'));
    other = await loadSigningKey(join(dir, 'other.pem'));
    keys = { keys: [key.publicJwk] };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a compact JWS typed as a head, naming the key, that verifies to the statement signed', async () => {
    const jws = signHead(HEAD, key);
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', kid: key.kid, typ: HEAD_TYP });
    await expect(verifyHead(jws, keys)).resolves.toEqual(HEAD);
    await expect(verifyHead(signHead({ ...HEAD, state: 'stopped' }, key), keys)).resolves.toMatchObject({
      state: 'stopped',
    });
  });

  it('refuses a statement signed by another key, and one whose payload was changed', async () => {
    await expect(verifyHead(signHead(HEAD, other), keys)).resolves.toBeUndefined();
    // Signed by the right key, then its payload swapped for a later seq: the signature no longer holds.
    const [header, , signature] = signHead(HEAD, key).split('.');
    const forged = Buffer.from(JSON.stringify({ ...HEAD, seq: 43 })).toString('base64url');
    await expect(verifyHead(`${header}.${forged}.${signature}`, keys)).resolves.toBeUndefined();
  });

  it('refuses a checkpoint passed off as a head: same key, same statement, another typ', async () => {
    const checkpoint = signCompact(Buffer.from(JSON.stringify(HEAD)), key, 'passerelle-audit-checkpoint');
    await expect(verifyHead(checkpoint, keys)).resolves.toBeUndefined();
    // Nearest miss: the same bytes typed as a head verify.
    await expect(verifyHead(signCompact(Buffer.from(JSON.stringify(HEAD)), key, HEAD_TYP), keys)).resolves.toEqual(
      HEAD,
    );
  });

  it('verifies synchronously with one public key, as the sequencer checks another node’s head', () => {
    const publicKey = createPublicKey(key.signer);
    const withNode: SignedHead = { ...HEAD, node: 'node-b#12', checkpoint: 40 };
    expect(verifyHeadWith(signHead(withNode, key), publicKey)).toEqual(withNode);
    expect(verifyHeadWith(signHead(withNode, other), publicKey)).toBeUndefined();
    const checkpoint = signCompact(Buffer.from(JSON.stringify(HEAD)), key, 'passerelle-audit-checkpoint');
    expect(verifyHeadWith(checkpoint, publicKey)).toBeUndefined();
    expect(verifyHeadWith(signHead({ ...HEAD, checkpoint: -1 }, key), publicKey)).toBeUndefined();
    expect(verifyHeadWith('not.a.jws', publicKey)).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['a negative seq', { ...HEAD, seq: -1 }],
    ['a fractional seq', { ...HEAD, seq: 1.5 }],
    ['a seq in a string', { ...HEAD, seq: '42' }],
    ['no head hash', { ...HEAD, headHash: undefined }],
    ['an unknown state', { ...HEAD, state: 'paused' }],
    ['not an object', 42],
  ])('refuses a well-signed head with %s', async (_what, statement) => {
    await expect(verifyHead(signCompact(Buffer.from(JSON.stringify(statement)), key, HEAD_TYP), keys)).resolves.toBe(
      undefined,
    );
  });

  it('writes the head file, creating its directory, and reads it back verified', async () => {
    const headDir = join(dir, 'checkpoints', 'nested');
    await expect(readHead(headDir, keys)).resolves.toEqual({ found: false });
    const jws = signHead(HEAD, key);
    await writeHead(headDir, jws);
    // One fixed-size record, overwritten in place: the JWS, padded.
    const record = readFileSync(join(headDir, HEAD_FILE), 'utf8');
    expect(record).toHaveLength(1024);
    expect(record.trim()).toBe(jws);
    await expect(readHead(headDir, keys)).resolves.toEqual({ found: true, head: HEAD, jws });
    // Each batch replaces it: the reader sees the newest statement only.
    const next = signHead({ ...HEAD, seq: 50, state: 'stopped' }, key);
    await writeHead(headDir, next);
    await expect(readHead(headDir, keys)).resolves.toEqual({
      found: true,
      head: { ...HEAD, seq: 50, state: 'stopped' },
      jws: next,
    });
  });

  it('keeps writing in place, and recreates the file when it is removed or replaced', async () => {
    const headDir = mkdtempSync(join(dir, 'writer-'));
    const writer = new HeadWriter(headDir);
    try {
      writer.write(signHead(HEAD, key));
      const next = signHead({ ...HEAD, seq: 43 }, key);
      writer.write(next);
      expect(readFileSync(join(headDir, HEAD_FILE), 'utf8').trim()).toBe(next);
      rmSync(join(headDir, HEAD_FILE));
      const after = signHead({ ...HEAD, seq: 44 }, key);
      writer.write(after);
      await expect(readHead(headDir, keys)).resolves.toMatchObject({ found: true, head: { seq: 44 } });
    } finally {
      writer.close();
    }
  });

  it('reports a head file that does not verify, rather than reading it as absent', async () => {
    const headDir = mkdtempSync(join(dir, 'invalid-'));
    await writeHead(headDir, signHead(HEAD, other));
    await expect(readHead(headDir, keys)).resolves.toEqual({
      found: true,
      invalid: `${HEAD_FILE}: signature or content invalid`,
    });
    writeFileSync(join(headDir, HEAD_FILE), 'not a jws');
    await expect(readHead(headDir, keys)).resolves.toMatchObject({ found: true, invalid: expect.any(String) });
  });
});
