import { Option, type Command } from 'commander';
import type { AuditOptions, Verdict } from './audit-actions';
import { EXIT } from './exit-codes';
import { loadCliConfig, write, type JsonOption } from './output';

/**
 * A verification's verdict: the OK line on standard output, a broken or
 * unverifiable one on standard error; with --json, the document on standard
 * output whatever it says. Exits 0 intact, 1 broken, 3 unverifiable.
 */
async function report(verdict: Verdict, options: JsonOption): Promise<void> {
  if (options.json === true) await write(`${JSON.stringify(verdict.json, null, 2)}\n`);
  else if (verdict.outcome === 'intact') await write(`${verdict.text}\n`);
  if (verdict.outcome !== 'intact') process.stderr.write(`${verdict.text}\n`);
  process.exitCode =
    verdict.outcome === 'intact' ? EXIT.ok : verdict.outcome === 'broken' ? EXIT.failed : EXIT.unreachable;
}

const JWKS_HELP = 'the public keys: a JWKS (or one JWK) in a file or at a URL';
const CHECKPOINTS_HELP = 'a folder of signed checkpoint files (checkpoint-<seq>.jws, head.jws)';

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the hash-chained audit log: verify, export, copy its signed evidence, retain old months');
  audit
    .command('verify')
    .description(
      'recompute the audit chain and check every signature over it, with read access and public keys only; runs ' +
        'no migration (exit 0 intact, 1 broken, 3 cannot be verified)',
    )
    .option('--jwks <file|url>', `${JWKS_HELP} (default: the running gateway's /.well-known/jwks.json)`)
    .option('--checkpoints <dir>', `${CHECKPOINTS_HELP}, besides those stored with the log`)
    .option('--json', 'one JSON document: {outcome, head, failure, unverified, verified, checkpoints, ...}')
    .action(async (options: AuditOptions & JsonOption) => {
      const { verifyLog } = await import('./audit-actions');
      await report(await verifyLog(await loadCliConfig(), options), options);
    });
  audit
    .command('verify-export')
    .description('verify a jsonl export with no database (exit 0 intact, 1 broken, 3 cannot be verified)')
    .argument('<file>', 'the export: audit export --format jsonl')
    .option('--jwks <file|url>', `${JWKS_HELP} (required)`)
    .option('--checkpoints <dir>', CHECKPOINTS_HELP)
    .option('--json', 'one JSON document: {outcome, head, failure, unverified, verified, checkpoints, from, ...}')
    .action(async (file: string, options: AuditOptions & JsonOption) => {
      const { verifyExportFile } = await import('./audit-actions');
      await report(await verifyExportFile(file, options), options);
    });
  audit
    .command('export')
    .description(
      'the whole audit log on standard output; jsonl carries each record’s seq, hashes and hashed text, up to ' +
        'and with the signed head, for verify-export',
    )
    .addOption(
      new Option('--format <format>', 'csv for reading, jsonl for verifying').choices(['csv', 'jsonl']).default('csv'),
    )
    .option('--checkpoints <dir>', 'where an older log keeps its signed head file')
    .action(async (options: AuditOptions) => {
      const { exportLog } = await import('./audit-actions');
      await exportLog(await loadCliConfig(), options, write);
    });
  audit
    .command('checkpoints')
    .description(
      'copy the signed checkpoints and head stored with the log into DIR as files, for whoever is given an ' +
        'export (verify-export --checkpoints DIR)',
    )
    .argument('<dir>', 'the folder to copy them into')
    .action(async (dir: string) => {
      const { copyEvidence } = await import('./audit-actions');
      await write(`${await copyEvidence(await loadCliConfig(), dir)}\n`);
    });
  audit
    .command('retention')
    .description(
      'as the owner, with the signing key: export each whole month before YYYY-MM (never the current or previous ' +
        'one), verify the export, sign a retention statement, then detach the partition (and drop it with --drop); ' +
        'without --execute (or with --dry-run) it only plans and verifies (exit 1 when refused)',
    )
    .option('--before <YYYY-MM>', 'the first month kept (required)')
    .option('--export-dir <dir>', 'where each month’s export and statement are written (required)')
    .option('--execute', 'take the months out (otherwise a dry run)')
    .option('--dry-run', 'plan and verify only, even with --execute')
    .option('--drop', 'drop each detached partition (needs --execute)')
    .option('--jwks <file|url>', `${JWKS_HELP}: for checkpoints signed under keys since rotated`)
    .option('--checkpoints <dir>', CHECKPOINTS_HELP)
    .action(async (options: AuditOptions) => {
      const { retention } = await import('./audit-actions');
      const out = await retention(await loadCliConfig(), normaliseRetention(options), write);
      if (out !== '') await write(`${out}\n`);
    });
}

/** commander names `--export-dir` exportDir and `--dry-run` dryRun; the retention command reads them as spelt. */
function normaliseRetention(options: AuditOptions & { exportDir?: string; dryRun?: boolean }): AuditOptions {
  return { ...options, 'export-dir': options.exportDir, 'dry-run': options.dryRun };
}
