import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The demo's sector identifier key: published on purpose, so that the demo
 * agencies' identifiers for the demo citizens are the same on every machine
 * (the README lists them). It is refused in production.
 */
export const DEMO_SECTOR_KEY = createHash('sha256').update('passerelle demo sector identifier key').digest();

/** Development only: writes the demo key to `file` if the file is missing. */
export async function ensureDevSectorKey(file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${DEMO_SECTOR_KEY.toString('base64')}\n`, { mode: 0o600 });
  return true;
}

/**
 * Loads the key that the gateway shares with the identity provider (32
 * bytes, base64). A missing or short key stops the start; so does the demo
 * key in production.
 */
export async function loadSectorKey(file: string, production: boolean): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`SECTOR_KEY_FILE: cannot read ${file}`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`SECTOR_KEY_FILE: ${file} must hold 32 bytes, base64`);
  if (production && key.equals(DEMO_SECTOR_KEY)) {
    throw new Error(`SECTOR_KEY_FILE: ${file} holds the published demo key, which production refuses`);
  }
  return key;
}
