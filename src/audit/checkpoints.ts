import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { signCompact } from '../platform/signing/detached-jws';
import type { SigningKey } from '../platform/signing/signing-key';
import type { Checkpoint } from './audit-chain';

export const CHECKPOINT_TYP = 'passerelle-audit-checkpoint';
const FILE = /^checkpoint-(\d{12})\.jws$/;
/** Files read and verified at once: the signature checks run beside the rest of the verification. */
const READ_AT_ONCE = 32;

export type KeySet = ReturnType<typeof createLocalJWKSet>;

/** Signs a checkpoint (compact JWS by the gateway key, typed as a checkpoint). */
export function signCheckpoint(checkpoint: Checkpoint, key: SigningKey): string {
  return signCompact(Buffer.from(JSON.stringify(checkpoint)), key, CHECKPOINT_TYP);
}

/** The statement a checkpoint JWS makes, if a key of `keys` signed it as a checkpoint and it is well formed. */
export async function verifyCheckpoint(jws: string, keys: KeySet): Promise<Checkpoint | undefined> {
  try {
    const { payload, protectedHeader } = await compactVerify(jws, keys);
    if (protectedHeader.typ !== CHECKPOINT_TYP) return undefined;
    const checkpoint = JSON.parse(Buffer.from(payload).toString('utf8')) as Checkpoint;
    const wellFormed =
      Number.isSafeInteger(checkpoint.seq) &&
      checkpoint.seq >= 1 &&
      typeof checkpoint.headHash === 'string' &&
      typeof checkpoint.at === 'string' &&
      (checkpoint.node === undefined || typeof checkpoint.node === 'string') &&
      (checkpoint.prev === undefined || (Number.isSafeInteger(checkpoint.prev) && checkpoint.prev >= 0));
    return wellFormed ? checkpoint : undefined;
  } catch {
    return undefined;
  }
}

function fileOf(seq: number): string {
  return `checkpoint-${String(seq).padStart(12, '0')}.jws`;
}

/** Writes a signed checkpoint into `dir`, atomically, as `checkpoint-<seq>.jws`: the files are a mirror of the table. */
export async function writeCheckpointFile(dir: string, seq: number, jws: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, fileOf(seq));
  await writeFile(`${file}.tmp`, jws, { mode: 0o644 });
  await rename(`${file}.tmp`, file);
  return file;
}

/** Signs a checkpoint and writes it into `dir` (for one-off writers and benchmarks). */
export function writeCheckpoint(dir: string, checkpoint: Checkpoint, key: SigningKey): Promise<string> {
  return writeCheckpointFile(dir, checkpoint.seq, signCheckpoint(checkpoint, key));
}

export interface CheckpointRead {
  checkpoints: Checkpoint[];
  /** Files (or rows) whose signature or content does not hold: named, for the verifier to report. */
  invalid: string[];
}

/** The seqs the checkpoint files in `dir` claim by their names, before any is read. A missing directory has none. */
export async function checkpointSeqs(dir: string): Promise<Set<number>> {
  return new Set((await checkpointFiles(dir)).map((name) => Number(FILE.exec(name)?.[1])));
}

/** The statement a checkpoint file makes, if a key of `keys` signed it and its name says the same seq. */
async function readCheckpoint(dir: string, name: string, keys: KeySet): Promise<Checkpoint | undefined> {
  try {
    const checkpoint = await verifyCheckpoint(await readFile(join(dir, name), 'utf8'), keys);
    return checkpoint !== undefined && fileOf(checkpoint.seq) === name ? checkpoint : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads and verifies every checkpoint in `dir` with the public keys `keys`
 * (a JWKS: the gateway's, or what a third party was given), several at a
 * time. A missing directory has none.
 */
export async function readCheckpoints(dir: string, keys: JSONWebKeySet): Promise<CheckpointRead> {
  const files = await checkpointFiles(dir);
  if (files.length === 0) return { checkpoints: [], invalid: [] };
  const keySet = createLocalJWKSet(keys);
  const checkpoints: Checkpoint[] = [];
  const invalid: string[] = [];
  for (let i = 0; i < files.length; i += READ_AT_ONCE) {
    const batch = files.slice(i, i + READ_AT_ONCE);
    (await Promise.all(batch.map((name) => readCheckpoint(dir, name, keySet)))).forEach((checkpoint, j) => {
      if (checkpoint === undefined) invalid.push(batch[j]);
      else checkpoints.push(checkpoint);
    });
  }
  return { checkpoints, invalid };
}

/** The newest checkpoint in `dir`, verified; undefined when there is none, or it does not verify. */
export async function readLatestCheckpoint(dir: string, keys: JSONWebKeySet): Promise<Checkpoint | undefined> {
  const files = await checkpointFiles(dir);
  const newest = files[files.length - 1];
  return newest === undefined ? undefined : readCheckpoint(dir, newest, createLocalJWKSet(keys));
}

async function checkpointFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => FILE.test(name)).sort();
  } catch {
    return [];
  }
}
