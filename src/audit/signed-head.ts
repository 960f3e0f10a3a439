import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { signCompact } from '../platform/signing/detached-jws';
import type { SigningKey } from '../platform/signing/signing-key';
import { GENESIS_HASH } from './audit-chain';

/** The file, beside the checkpoints, that holds the signed head of the last committed batch. */
export const HEAD_FILE = 'head.jws';
export const HEAD_TYP = 'passerelle-audit-head';

export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/**
 * The gateway's signed statement that the chain's head was `headHash` at
 * `seq`, written after each batch commits and before its callers are
 * answered. `stopped` is written at a clean shutdown: nothing may follow that
 * head until the gateway signs again.
 */
export interface SignedHead {
  seq: number;
  headHash: string;
  at: string;
  state: 'appending' | 'stopped';
}

export function signHead(head: SignedHead, key: SigningKey): string {
  return signCompact(Buffer.from(JSON.stringify(head)), key, HEAD_TYP);
}

/** Replaces the head file atomically: a reader sees the previous statement or the new one, never half of one. */
export async function writeHead(dir: string, jws: string): Promise<void> {
  const file = join(dir, HEAD_FILE);
  try {
    await writeFile(`${file}.tmp`, jws, { mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
    await writeFile(`${file}.tmp`, jws, { mode: 0o644 });
  }
  await rename(`${file}.tmp`, file);
}

export type HeadRead =
  | { found: false }
  | { found: true; head: SignedHead; jws: string }
  | { found: true; invalid: string };

/** Reads and verifies the head file in `dir` with `keys`. */
export async function readHead(dir: string, keys: JSONWebKeySet): Promise<HeadRead> {
  let jws: string;
  try {
    jws = (await readFile(join(dir, HEAD_FILE), 'utf8')).trim();
  } catch {
    return { found: false };
  }
  const head = await verifyHead(jws, keys);
  return head === undefined
    ? { found: true, invalid: `${HEAD_FILE}: signature or content invalid` }
    : { found: true, head, jws };
}

/** The statement a head JWS makes, if a key of `keys` signed it and it says what a head says. */
export async function verifyHead(jws: string, keys: JSONWebKeySet): Promise<SignedHead | undefined> {
  try {
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(keys));
    if (protectedHeader.typ !== HEAD_TYP) return undefined;
    const head = JSON.parse(Buffer.from(payload).toString('utf8')) as SignedHead;
    const wellFormed =
      Number.isSafeInteger(head.seq) &&
      head.seq >= 0 &&
      typeof head.at === 'string' &&
      typeof head.headHash === 'string' &&
      /^[0-9a-f]{64}$/.test(head.headHash) &&
      (head.state === 'appending' || head.state === 'stopped');
    return wellFormed ? head : undefined;
  } catch {
    return undefined;
  }
}
