import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { JSONWebKeySet, JWK } from 'jose';
import { csvLines } from '../audit/audit-csv';
import { jsonlLines, verifyExport, type ExportRow } from '../audit/audit-jsonl';
import { verifyAuditLog, type VerifyOutcome } from '../audit/audit-verify';
import { readCheckpoints } from '../audit/checkpoints';
import { HEAD_FILE } from '../audit/signed-head';
import type { AppConfig } from '../platform/config/config';
import { withDatabase } from './database';

/** How `audit verify` and `audit verify-export` exit: a script or a court clerk can tell the three apart. */
export const EXIT = { intact: 0, broken: 1, usage: 2, unverifiable: 3 } as const;

/** The log does not hold: names the first bad seq. */
export class AuditBroken extends Error {}
/** Nothing was found wrong, but what would prove the log intact is missing (keys, checkpoints, a signed head). */
export class AuditUnverifiable extends Error {}
export class AuditUsageError extends Error {}

export interface AuditOptions {
  jwks?: string;
  checkpoints?: string;
  format?: string;
}

/** The public keys to verify with, from a JWKS (or a single JWK) in a file or at a URL. */
export async function loadJwks(source: string): Promise<JSONWebKeySet> {
  let text: string;
  try {
    if (/^https?:\/\//.test(source)) {
      const response = await fetch(source, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } else {
      text = await readFile(source, 'utf8');
    }
  } catch (error) {
    throw new AuditUnverifiable(`cannot read the public keys at ${source}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AuditUnverifiable(`${source} is not JSON`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (Array.isArray(keys)) return { keys: keys as JWK[] };
  if (typeof (parsed as JWK).kty === 'string') return { keys: [parsed as JWK] };
  throw new AuditUnverifiable(`${source} is neither a JWKS nor a JWK`);
}

function summary(verified: number, checkpoints: number, seconds: number): string {
  const rate = seconds > 0 ? Math.round(verified / seconds) : verified;
  return `${verified} records and ${checkpoints} checkpoints read in ${seconds.toFixed(2)} s (${rate} records/s)`;
}

function conclude(
  outcome: VerifyOutcome,
  what: string,
  head: { seq: number; hash: string },
  detail: { failure?: { seq: number; reason: string }; unverified?: string },
  read: string,
): string {
  switch (outcome) {
    case 'intact':
      return `${what} OK: head seq ${head.seq}, ${head.hash}\n${read}`;
    case 'broken':
      throw new AuditBroken(`${what} BROKEN at seq ${detail.failure?.seq}: ${detail.failure?.reason}\n${read}`);
    case 'unverifiable':
      throw new AuditUnverifiable(`${what} CANNOT BE VERIFIED: ${detail.unverified}\n${read}`);
  }
}

/** `audit verify`: read access and public keys only, no migration. */
async function verify(config: AppConfig, options: AuditOptions, defaultJwks: string): Promise<string> {
  const keys = await loadJwks(options.jwks ?? defaultJwks);
  const dir = options.checkpoints ?? config.audit.checkpointDir;
  const report = await withDatabase(
    config,
    (dataSource) => verifyAuditLog((text, values) => dataSource.query(text, values), dir, keys),
    { readOnly: true },
  );
  return conclude(
    report.outcome,
    'audit log',
    report.head,
    report,
    summary(report.verified, report.checkpoints, report.seconds),
  );
}

/** `audit verify-export FILE`: no database at all. */
async function verifyExportFile(file: string | undefined, options: AuditOptions): Promise<string> {
  if (file === undefined) throw new AuditUsageError('missing the export file');
  if (options.jwks === undefined) throw new AuditUsageError('missing --jwks FILE|URL');
  const keys = await loadJwks(options.jwks);
  const { checkpoints, invalid } =
    options.checkpoints === undefined
      ? { checkpoints: [], invalid: [] }
      : await readCheckpoints(options.checkpoints, keys);
  if (invalid.length > 0) throw new AuditBroken(`checkpoint signature invalid: ${invalid[0]}`);
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
  try {
    await opened;
  } catch (error) {
    throw new AuditUsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const report = await verifyExport(createInterface({ input, crlfDelay: Infinity }), keys, checkpoints);
  return conclude(
    report.outcome,
    'audit export',
    report.head,
    report,
    summary(report.verified, report.checkpoints, report.seconds),
  );
}

/** `audit export`: CSV for reading, or JSON lines up to the signed head for verifying. */
async function exportLog(
  config: AppConfig,
  options: AuditOptions,
  write: (chunk: string) => Promise<void>,
): Promise<void> {
  const format = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new AuditUsageError('--format must be csv or jsonl');
  let head: { seq: number; jws: string } | undefined;
  if (format === 'jsonl') {
    const dir = options.checkpoints ?? config.audit.checkpointDir;
    head = await signedHeadIn(dir);
  }
  await withDatabase(
    config,
    async (dataSource) => {
      const lines =
        head === undefined
          ? csvLines((after, size) =>
              dataSource.query(`SELECT seq, payload FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT ${size}`, [
                after,
              ]),
            )
          : jsonlLines(
              (after, upTo, size) =>
                dataSource.query<ExportRow[]>(
                  'SELECT seq, prev_hash, record_hash, canonical FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3',
                  [after, upTo, size],
                ),
              head,
            );
      for await (const chunk of lines) await write(chunk);
    },
    { readOnly: true },
  );
}

/** The head file's statement as it is (the reader of the export verifies it). */
async function signedHeadIn(dir: string): Promise<{ seq: number; jws: string }> {
  let jws: string;
  try {
    jws = (await readFile(`${dir}/${HEAD_FILE}`, 'utf8')).trim();
  } catch {
    throw new AuditUnverifiable(`no signed head in ${dir}: a verifiable export ends at one`);
  }
  let seq: unknown;
  try {
    seq = (JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as { seq?: unknown }).seq;
  } catch {
    seq = undefined;
  }
  if (typeof seq !== 'number') throw new AuditUnverifiable(`${dir}/${HEAD_FILE} is not a signed head`);
  return { seq, jws };
}

export async function auditCommand(
  config: AppConfig,
  args: string[],
  options: AuditOptions,
  write: (chunk: string) => Promise<void>,
): Promise<string> {
  const defaultJwks = `http://localhost:${config.publicPort}/.well-known/jwks.json`;
  switch (args[0]) {
    case 'verify':
      return verify(config, options, defaultJwks);
    case 'verify-export':
      return verifyExportFile(args[1], options);
    case 'export':
      await exportLog(config, options, write);
      return '';
    default:
      throw new AuditUsageError(`unknown audit command "${args[0] ?? ''}"`);
  }
}
