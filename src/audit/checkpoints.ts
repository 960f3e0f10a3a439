import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactSign, compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { SIGNING_ALGORITHM, type SigningKey } from '../platform/signing/signing-key';
import type { Checkpoint } from './audit-chain';

const FILE = /^checkpoint-(\d{12})\.jws$/;
/** Files read and verified at once: the signature checks run beside the rest of the verification. */
const READ_AT_ONCE = 32;

/** Signs a checkpoint (JWS by the gateway key) and writes it, atomically, as `checkpoint-<seq>.jws`. */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint, key: SigningKey): Promise<string> {
  const jws = await new CompactSign(Buffer.from(JSON.stringify(checkpoint)))
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'passerelle-audit-checkpoint' })
    .sign(key.privateKey);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `checkpoint-${String(checkpoint.seq).padStart(12, '0')}.jws`);
  await writeFile(`${file}.tmp`, jws, { mode: 0o644 });
  await rename(`${file}.tmp`, file);
  return file;
}

export interface CheckpointRead {
  checkpoints: Checkpoint[];
  /** Files whose signature or content does not hold: named, for the verifier to report. */
  invalid: string[];
}

/** The seqs the checkpoint files in `dir` claim by their names, before any is read. A missing directory has none. */
export async function checkpointSeqs(dir: string): Promise<Set<number>> {
  return new Set((await checkpointFiles(dir)).map((name) => Number(FILE.exec(name)?.[1])));
}

/** The statement a checkpoint file makes, if a key of `keys` signed it and its name says the same seq. */
async function readCheckpoint(
  dir: string,
  name: string,
  keys: ReturnType<typeof createLocalJWKSet>,
): Promise<Checkpoint | undefined> {
  try {
    const { payload } = await compactVerify(await readFile(join(dir, name), 'utf8'), keys);
    const checkpoint = JSON.parse(Buffer.from(payload).toString('utf8')) as Checkpoint;
    if (!Number.isInteger(checkpoint.seq) || FILE.exec(name)?.[1] !== String(checkpoint.seq).padStart(12, '0')) {
      return undefined;
    }
    return checkpoint;
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
