import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { JSONWebKeySet, JWK } from 'jose';
import { csvLines } from '../audit/audit-csv';
import { jsonlLines, verifyExport, type ExportRow } from '../audit/audit-jsonl';
import { RetentionRefused } from '../audit/audit-retention';
import { verifyAuditLog, type VerifyOutcome } from '../audit/audit-verify';
import { readCheckpoints, writeCheckpointFile } from '../audit/checkpoints';
import {
  EvidenceUnreadable,
  storedCheckpointCopies,
  storedHeadJws,
  type EvidenceQuery,
} from '../audit/shared-evidence';
import { retentionJwsAt } from '../audit/retention-statement';
import { HEAD_FILE, writeHead } from '../audit/signed-head';
import type { AppConfig } from '../platform/config/config';
import { retentionCommand, RetentionUsageError, type RetentionCommandOptions } from './audit-retention';
import { OwnerLoginMissing, withDatabase } from './database';
import { CannotConnect, CheckFailed } from './exit-codes';
import { UsageError } from './usage';

/*
 * How the audit commands exit, on the CLI's one table: a script or a court
 * clerk can tell a broken log (1) from a command line to fix (2) and from
 * evidence that is out of reach (3).
 */
/** The log does not hold: names the first bad seq (exit 1). */
export class AuditBroken extends CheckFailed {}
/** Nothing was found wrong, but what would prove the log intact is missing: keys, checkpoints, a signed head (exit 3). */
export class AuditUnverifiable extends CannotConnect {}
export class AuditUsageError extends UsageError {}
/** `audit retention` took nothing (more) out: the message says why (exit 1). */
export class AuditRefused extends CheckFailed {}

/** What a verification found: its outcome, the line for a reader, and the document for a script. */
export interface Verdict {
  outcome: VerifyOutcome;
  text: string;
  json: Record<string, unknown>;
}

export interface AuditOptions extends RetentionCommandOptions {
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
  counts: Record<string, unknown>,
): Verdict {
  const json = { outcome, head, failure: detail.failure ?? null, unverified: detail.unverified ?? null, ...counts };
  switch (outcome) {
    case 'intact':
      return { outcome, json, text: `${what} OK: head seq ${head.seq}, ${head.hash}\n${read}` };
    case 'broken':
      return {
        outcome,
        json,
        text: `${what} BROKEN at seq ${detail.failure?.seq}: ${detail.failure?.reason}\n${read}`,
      };
    case 'unverifiable':
      return { outcome, json, text: `${what} CANNOT BE VERIFIED: ${detail.unverified}\n${read}` };
  }
}

/** `audit verify`: read access and public keys only, no migration. */
export async function verifyLog(config: AppConfig, options: AuditOptions): Promise<Verdict> {
  const defaultJwks = `http://localhost:${config.publicPort}/.well-known/jwks.json`;
  const keys = await loadJwks(options.jwks ?? defaultJwks);
  // The evidence stored with the log, and the files of a folder when one is given (a node's mirror, an export's).
  const dir = options.checkpoints ?? config.audit.checkpointDir;
  const report = await withDatabase(
    config,
    (dataSource) => verifyAuditLog((text, values) => dataSource.query(text, values), dir, keys),
    { readOnly: true },
  ).catch((error: unknown) => {
    if (error instanceof EvidenceUnreadable)
      throw new AuditUnverifiable(`audit log CANNOT BE VERIFIED: ${error.message}`);
    throw error;
  });
  const retained =
    report.retained === null
      ? ''
      : `\nrecords up to seq ${report.retained.seq} were exported and taken out (the last from ${report.retained.partition})`;
  return conclude(
    report.outcome,
    'audit log',
    report.head,
    report,
    summary(report.verified, report.checkpoints, report.seconds) + retained,
    {
      verified: report.verified,
      checkpoints: report.checkpoints,
      seconds: report.seconds,
      retained: report.retained,
    },
  );
}

/** `audit verify-export FILE`: no database at all. */
export async function verifyExportFile(file: string | undefined, options: AuditOptions): Promise<Verdict> {
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
  const from = report.from === 1 ? '' : `\nit starts at seq ${report.from}, after a signed retention statement`;
  return conclude(
    report.outcome,
    'audit export',
    report.head,
    report,
    summary(report.verified, report.checkpoints, report.seconds) + from,
    { verified: report.verified, checkpoints: report.checkpoints, seconds: report.seconds, from: report.from },
  );
}

/** `audit export`: CSV for reading, or JSON lines up to the signed head for verifying. */
export async function exportLog(
  config: AppConfig,
  options: AuditOptions,
  write: (chunk: string) => Promise<void>,
): Promise<void> {
  const format = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new AuditUsageError('--format must be csv or jsonl');
  const dir = options.checkpoints ?? config.audit.checkpointDir;
  await withDatabase(
    config,
    async (dataSource) => {
      const head =
        format === 'jsonl' ? await signedHeadIn((text, values) => dataSource.query(text, values), dir) : undefined;
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
              // Old months taken out by `audit retention`: the export opens with the statement of the records before.
              {
                retainedFrom: (first) =>
                  retentionJwsAt((text, values) => dataSource.query(text, values), dir, first - 1),
              },
            );
      for await (const chunk of lines) await write(chunk);
    },
    { readOnly: true },
  );
}

/**
 * `audit checkpoints DIR`: the signed checkpoints and head stored with the
 * log, copied as files (`checkpoint-<seq>.jws`, `head.jws`), for a third
 * party given an export, or for write-once storage. Copied as they are:
 * whoever reads them verifies them (verify-export --checkpoints DIR).
 */
export async function copyEvidence(config: AppConfig, dir: string | undefined): Promise<string> {
  if (dir === undefined) throw new AuditUsageError('missing the folder to copy the signed evidence into');
  const { checkpoints, head } = await withDatabase(
    config,
    async (dataSource) => {
      const query: EvidenceQuery = (text, values) => dataSource.query(text, values);
      return { checkpoints: await storedCheckpointCopies(query), head: await storedHeadJws(query) };
    },
    { readOnly: true },
  );
  for (const checkpoint of checkpoints) await writeCheckpointFile(dir, checkpoint.seq, checkpoint.jws);
  if (head !== undefined) await writeHead(dir, head.jws);
  return `${checkpoints.length} checkpoint(s)${head === undefined ? '' : ` and the signed head (seq ${head.seq})`} copied to ${dir}`;
}

/**
 * The signed head stored with the log, as it is (the reader of the export
 * verifies it); on a log from before shared evidence, a folder's head file.
 */
async function signedHeadIn(query: EvidenceQuery, dir: string | undefined): Promise<{ seq: number; jws: string }> {
  const stored = await storedHeadJws(query);
  if (stored !== undefined) return stored;
  let jws: string;
  try {
    if (dir === undefined) throw new Error('no folder');
    jws = (await readFile(`${dir}/${HEAD_FILE}`, 'utf8')).trim();
  } catch {
    throw new AuditUnverifiable('no signed head is stored with the log: a verifiable export ends at one');
  }
  let seq: unknown;
  try {
    seq = (JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as { seq?: unknown }).seq;
  } catch {
    seq = undefined;
  }
  if (typeof seq !== 'number') throw new AuditUnverifiable(`${HEAD_FILE} is not a signed head`);
  return { seq, jws };
}

/** `audit retention`: its refusals on the CLI's exit table. */
export async function retention(
  config: AppConfig,
  options: AuditOptions,
  write: (chunk: string) => Promise<void>,
): Promise<string> {
  return retentionCommand(config, options, loadJwks, (line) => write(`${line}\n`)).catch((error: unknown) => {
    if (error instanceof RetentionUsageError) throw new AuditUsageError(error.message);
    if (error instanceof RetentionRefused || error instanceof OwnerLoginMissing) {
      throw new AuditRefused(`audit retention REFUSED: ${error.message}`);
    }
    throw error;
  });
}
