import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { signCompact } from '../platform/signing/detached-jws';
import type { SigningKey } from '../platform/signing/signing-key';

export const RETENTION_TYP = 'passerelle-audit-retained';
const FILE = /^retained-(\d{12})\.jws$/;
const HASH = /^[0-9a-f]{64}$/;

/**
 * The gateway key's statement that the records `from` to `seq` (one month's
 * partition) were exported, the export verified against the chain, and then
 * taken out of the database. It vouches for the hash of `seq`, so the first
 * record left in the database can be checked against it, and so can the
 * export that ends at `seq`. Kept with the log (`audit_retention`), mirrored
 * beside the checkpoints as `retained-<seq>.jws`, and written into the
 * exports themselves.
 */
export interface RetentionStatement {
  /** The last record retained. */
  seq: number;
  /** Its record_hash: the prev_hash of the record that follows. */
  headHash: string;
  /** The first record retained. */
  from: number;
  /** Its prev_hash: the genesis hash, or the `headHash` of the statement before. */
  fromPrevHash: string;
  /** The partition the records were in, for the operator (`audit_event_2026_01`). */
  partition: string;
  at: string;
}

export function signRetention(statement: RetentionStatement, key: SigningKey): string {
  return signCompact(Buffer.from(JSON.stringify(statement)), key, RETENTION_TYP);
}

/** The statement a JWS makes, if a key of `keys` signed it as a retention statement and it is well formed. */
export async function verifyRetention(jws: string, keys: JSONWebKeySet): Promise<RetentionStatement | undefined> {
  try {
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(keys));
    if (protectedHeader.typ !== RETENTION_TYP) return undefined;
    const statement = JSON.parse(Buffer.from(payload).toString('utf8')) as RetentionStatement;
    const wellFormed =
      Number.isSafeInteger(statement.seq) &&
      Number.isSafeInteger(statement.from) &&
      statement.from >= 1 &&
      statement.seq >= statement.from &&
      typeof statement.headHash === 'string' &&
      HASH.test(statement.headHash) &&
      typeof statement.fromPrevHash === 'string' &&
      HASH.test(statement.fromPrevHash) &&
      typeof statement.partition === 'string' &&
      typeof statement.at === 'string';
    return wellFormed ? statement : undefined;
  } catch {
    return undefined;
  }
}

function fileOf(seq: number): string {
  return `retained-${String(seq).padStart(12, '0')}.jws`;
}

export type RetentionQuery = (text: string, values: unknown[]) => Promise<unknown[]>;

/**
 * Keeps a signed statement with the log (`audit_retention`, the owner's to
 * write) and, when a folder is given, beside the checkpoints there as
 * `retained-<seq>.jws`, written atomically.
 */
export async function recordRetention(
  query: RetentionQuery,
  dir: string | undefined,
  statement: RetentionStatement,
  jws: string,
): Promise<void> {
  if (dir !== undefined) {
    await mkdir(dir, { recursive: true });
    const file = join(dir, fileOf(statement.seq));
    await writeFile(`${file}.tmp`, jws, { mode: 0o644 });
    await rename(`${file}.tmp`, file);
  }
  await query('INSERT INTO audit_retention (seq, partition, jws) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING', [
    statement.seq,
    statement.partition,
    jws,
  ]);
}

/**
 * Runs `text`; a database from before retention (no such table) has none,
 * and neither has a login that may not read it: its verifier then finds the
 * records before the first stored one missing, and says why.
 */
async function tableRows<T>(query: RetentionQuery, text: string, values: unknown[]): Promise<T[] | 'unreadable'> {
  try {
    return (await query(text, values)) as T[];
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '42P01') return [];
    if (code === '42501') return 'unreadable';
    throw error;
  }
}

/** The statement for `seq` as it is, unverified (an export carries it; its reader verifies it). */
export async function retentionJwsAt(
  query: RetentionQuery,
  dir: string | undefined,
  seq: number,
): Promise<string | undefined> {
  const rows = await tableRows<{ jws: string }>(query, 'SELECT jws FROM audit_retention WHERE seq = $1', [seq]);
  if (rows !== 'unreadable' && rows.length > 0) return rows[0].jws;
  if (dir === undefined) return undefined;
  try {
    return (await readFile(join(dir, fileOf(seq)), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export interface RetentionRead {
  statements: (RetentionStatement & { jws: string })[];
  /** Rows and files whose signature or content does not hold, or that say another seq than they are kept under. */
  invalid: string[];
  /** The login may not read `audit_retention`. */
  unreadable: boolean;
}

/** Every retention statement kept with the log and in `dir`, verified with `keys`, each seq once. */
export async function readRetentions(
  query: RetentionQuery,
  dir: string | undefined,
  keys: JSONWebKeySet,
): Promise<RetentionRead> {
  const read: RetentionRead = { statements: [], invalid: [], unreadable: false };
  const rows = await tableRows<{ seq: string; partition: string; jws: string }>(
    query,
    'SELECT seq, partition, jws FROM audit_retention ORDER BY seq',
    [],
  );
  read.unreadable = rows === 'unreadable';
  const kept: { source: string; seq: number; partition?: string; jws: string }[] =
    rows === 'unreadable'
      ? []
      : rows.map((row) => ({
          source: `audit_retention seq ${row.seq}`,
          seq: Number(row.seq),
          partition: row.partition,
          jws: row.jws,
        }));
  if (dir !== undefined) {
    let names: string[] = [];
    try {
      names = (await readdir(dir)).filter((name) => FILE.test(name)).sort();
    } catch {
      // No folder: nothing mirrored.
    }
    for (const name of names) {
      const jws = (await readFile(join(dir, name), 'utf8')).trim();
      kept.push({ source: name, seq: Number(FILE.exec(name)?.[1]), jws });
    }
  }
  const bySeq = new Map<number, RetentionStatement & { jws: string }>();
  for (const item of kept) {
    const statement = await verifyRetention(item.jws, keys);
    const other = bySeq.get(item.seq);
    const holds =
      statement !== undefined &&
      statement.seq === item.seq &&
      (item.partition === undefined || item.partition === statement.partition) &&
      // The table's row and the folder's file for one seq must say the same.
      (other === undefined || other.headHash === statement.headHash);
    if (!holds) read.invalid.push(item.source);
    else if (other === undefined) bySeq.set(item.seq, { ...statement, jws: item.jws });
  }
  read.statements = [...bySeq.values()];
  read.statements.sort((a, b) => a.seq - b.seq);
  return read;
}

/**
 * Where a verifier starts when the database's first record is `firstSeq`:
 * after the newest statement that lies before it. Records between that
 * statement and `firstSeq` are then missing, and reported so. Pure.
 */
export function retainedBefore<T extends { seq: number }>(statements: readonly T[], firstSeq: number): T | undefined {
  return statements.reduce<T | undefined>(
    (best, s) => (s.seq < firstSeq && (best === undefined || s.seq > best.seq) ? s : best),
    undefined,
  );
}
