import type { JSONWebKeySet } from 'jose';
import { RetentionRefused, runRetention, type RetentionReport } from '../audit/audit-retention';
import { isMonth } from '../audit/retention-plan';
import type { AppConfig } from '../platform/config/config';
import { loadSigningKey, type SigningKey } from '../platform/signing/signing-key';
import { withDatabase } from './database';

export interface RetentionCommandOptions {
  before?: string;
  'export-dir'?: string;
  execute?: boolean;
  'dry-run'?: boolean;
  drop?: boolean;
  jwks?: string;
  checkpoints?: string;
}

export class RetentionUsageError extends Error {}

/**
 * `audit retention --before YYYY-MM --export-dir DIR [--execute] [--drop]`:
 * a dry run unless `--execute` is given (and `--dry-run` always wins), as the
 * owner, with the gateway's signing key. See runRetention for what it does
 * and refuses; progress goes to `say` as it happens.
 */
export async function retentionCommand(
  config: AppConfig,
  options: RetentionCommandOptions,
  loadKeys: (source: string) => Promise<JSONWebKeySet>,
  say: (line: string) => Promise<void>,
): Promise<string> {
  const before = options.before;
  if (before === undefined || !isMonth(before)) throw new RetentionUsageError('--before must be a month, YYYY-MM');
  const exportDir = options['export-dir'];
  if (exportDir === undefined || exportDir === '') throw new RetentionUsageError('missing --export-dir DIR');
  if (options.drop === true && options.execute !== true) throw new RetentionUsageError('--drop needs --execute');
  const execute = options.execute === true && options['dry-run'] !== true;
  let key: SigningKey;
  try {
    key = await loadSigningKey(config.signingKeyFile);
  } catch (error) {
    throw new RetentionUsageError(
      `cannot read the signing key ${config.signingKeyFile} (SIGNING_KEY_FILE): each month taken out is vouched ` +
        `for by a signed statement (${(error as Error).message})`,
    );
  }
  // Checkpoints signed under keys since rotated verify with the JWKS given.
  const given = options.jwks === undefined ? [] : (await loadKeys(options.jwks)).keys;
  const keys: JSONWebKeySet = { keys: [key.publicJwk, ...given] };
  const report = await withDatabase(
    config,
    (dataSource) =>
      runRetention(
        {
          query: (text, values) => dataSource.query(text, values),
          transaction: (work) =>
            dataSource.transaction((manager) => work((text, values) => manager.query(text, values))),
        },
        {
          before,
          exportDir,
          checkpointDir: options.checkpoints ?? config.audit.checkpointDir,
          keys,
          key,
          execute,
          drop: options.drop === true,
          say,
        },
      ),
    { asOwner: true },
  );
  return conclusion(report, execute);
}

function conclusion(report: RetentionReport, execute: boolean): string {
  if (!execute || report.retained.length === 0) return '';
  const after = report.after;
  const months = report.retained.map((r) => r.month).join(', ');
  if (after === undefined || after.outcome !== 'intact') {
    const why = after?.failure === undefined ? after?.unverified : `seq ${after.failure.seq}: ${after.failure.reason}`;
    throw new RetentionRefused(
      `taken out: ${months}; the audit log does NOT verify after it (${why ?? 'not verified'})`,
    );
  }
  const from = after.retained === null ? '' : ` from seq ${after.retained.seq + 1}`;
  return `taken out: ${months}; audit log OK${from}: head seq ${after.head.seq}, ${after.verified} records`;
}
