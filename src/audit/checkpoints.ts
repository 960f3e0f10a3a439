import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import { SIGNING_ALGORITHM, type SigningKey } from '../platform/signing/signing-key';
import type { Checkpoint } from './audit-chain';

const FILE = /^checkpoint-(\d{12})\.jws$/;

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

/** Reads and verifies every checkpoint in `dir` with the gateway's public key. A missing directory has none. */
export async function readCheckpoints(dir: string, publicJwk: JWK): Promise<CheckpointRead> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((name) => FILE.test(name)).sort();
  } catch {
    return { checkpoints: [], invalid: [] };
  }
  const key = await importJWK(publicJwk, SIGNING_ALGORITHM);
  const checkpoints: Checkpoint[] = [];
  const invalid: string[] = [];
  for (const name of files) {
    try {
      const { payload } = await compactVerify(await readFile(join(dir, name), 'utf8'), key);
      const checkpoint = JSON.parse(Buffer.from(payload).toString('utf8')) as Checkpoint;
      if (!Number.isInteger(checkpoint.seq) || FILE.exec(name)?.[1] !== String(checkpoint.seq).padStart(12, '0')) {
        throw new Error('file name and content differ');
      }
      checkpoints.push(checkpoint);
    } catch {
      invalid.push(name);
    }
  }
  return { checkpoints, invalid };
}
