import type { KeyObject } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { signCompact, verifyCompact } from '../platform/signing/detached-jws';
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
  /** The node that committed the batch (or stopped), when it says. */
  node?: string;
  /**
   * The newest checkpoint stored when the batch was committed: a checkpoint
   * removed from the database afterwards is missed (signed heads before
   * shared evidence do not say).
   */
  checkpoint?: number;
}

export function signHead(head: SignedHead, key: SigningKey): string {
  return signCompact(Buffer.from(JSON.stringify(head)), key, HEAD_TYP);
}

/** The head file is one fixed-size record: a JWS (about 500 bytes), padded with spaces, then a newline. */
const RECORD_BYTES = 1024;

function headRecord(jws: string): Buffer {
  if (jws.length >= RECORD_BYTES) throw new Error(`a signed head of ${jws.length} bytes does not fit its record`);
  const record = Buffer.alloc(RECORD_BYTES, 0x20);
  record.write(jws, 'ascii');
  record[RECORD_BYTES - 1] = 0x0a;
  return record;
}

/**
 * Keeps the head file open and overwrites its one record in place: a single
 * pwrite of 1 KiB per batch (a few µs) where writing a new file and
 * renaming it cost hundreds of microseconds on the sequencer's path. A
 * 1 KiB write at offset 0 lands within one page; a reader that races it
 * reads again (readHead).
 * If the file is removed or replaced, the next write recreates it.
 */
export class HeadWriter {
  private fd: number | undefined;
  private inode = 0;

  constructor(private readonly dir: string) {}

  write(jws: string): void {
    const record = headRecord(jws);
    const file = join(this.dir, HEAD_FILE);
    if (this.fd !== undefined && statSync(file, { throwIfNoEntry: false })?.ino !== this.inode) this.close();
    if (this.fd === undefined) {
      mkdirSync(this.dir, { recursive: true });
      // No O_TRUNC: a reader never finds the file empty.
      this.fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
      this.inode = fstatSync(this.fd).ino;
    }
    writeSync(this.fd, record, 0, RECORD_BYTES, 0);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Writes one signed head to the head file in `dir` (for one-off writers; the sequencer keeps a HeadWriter). */
export function writeHead(dir: string, jws: string): Promise<void> {
  const writer = new HeadWriter(dir);
  try {
    writer.write(jws);
  } finally {
    writer.close();
  }
  return Promise.resolve();
}

export type HeadRead =
  | { found: false }
  | { found: true; head: SignedHead; jws: string }
  | { found: true; invalid: string };

/**
 * Reads and verifies the head file in `dir` with `keys`. A read that races
 * the sequencer's overwrite may see part of two records: one that does not
 * verify is read again before it is called invalid.
 */
export async function readHead(dir: string, keys: JSONWebKeySet): Promise<HeadRead> {
  for (let attempt = 1; ; attempt++) {
    let jws: string;
    try {
      jws = (await readFile(join(dir, HEAD_FILE), 'utf8')).trim();
    } catch {
      return { found: false };
    }
    const head = await verifyHead(jws, keys);
    if (head !== undefined) return { found: true, head, jws };
    if (attempt === 3) return { found: true, invalid: `${HEAD_FILE}: signature or content invalid` };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The statement a head JWS makes, if a key of `keys` signed it and it says what a head says. */
export async function verifyHead(jws: string, keys: JSONWebKeySet): Promise<SignedHead | undefined> {
  try {
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(keys));
    if (protectedHeader.typ !== HEAD_TYP) return undefined;
    return headOf(payload);
  } catch {
    return undefined;
  }
}

/** The same, synchronously with one public key: for the sequencer, which checks another node's head before a batch. */
export function verifyHeadWith(jws: string, publicKey: KeyObject): SignedHead | undefined {
  const payload = verifyCompact(jws, publicKey, HEAD_TYP);
  return payload === undefined ? undefined : headOf(payload);
}

function headOf(payload: Uint8Array): SignedHead | undefined {
  try {
    const head = JSON.parse(Buffer.from(payload).toString('utf8')) as SignedHead;
    const wellFormed =
      Number.isSafeInteger(head.seq) &&
      head.seq >= 0 &&
      typeof head.at === 'string' &&
      typeof head.headHash === 'string' &&
      /^[0-9a-f]{64}$/.test(head.headHash) &&
      (head.state === 'appending' || head.state === 'stopped') &&
      (head.node === undefined || typeof head.node === 'string') &&
      (head.checkpoint === undefined || (Number.isSafeInteger(head.checkpoint) && head.checkpoint >= 0));
    return wellFormed ? head : undefined;
  } catch {
    return undefined;
  }
}
