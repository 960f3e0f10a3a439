import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Development only: creates the audit pseudonym key (32 random bytes, base64) if the file is missing. */
export async function ensureDevPseudonymKey(file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return true;
}

/** Loads the key once at boot; a missing or short key stops the start. */
export async function loadPseudonymKey(file: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`AUDIT_PSEUDONYM_KEY_FILE: cannot read ${file}`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length < 32) throw new Error(`AUDIT_PSEUDONYM_KEY_FILE: ${file} must hold at least 32 bytes, base64`);
  return key;
}
