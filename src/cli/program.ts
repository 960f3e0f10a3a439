import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerAuditCommands } from './audit-commands';
import { registerClusterCommands } from './cluster-commands';
import { registerContractsCommands } from './contracts-commands';
import { registerDbCommands } from './db-commands';
import { registerDevCommands } from './dev-commands';
import { EXIT_CODES_HELP } from './exit-codes';
import { registerOrgCommands } from './org-commands';
import { registerOutboxCommands } from './outbox-commands';

/** The package's version: package.json sits two folders up from src/cli and from dist/cli alike. */
function packageVersion(): string {
  const file = join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

const AFTER_HELP = `
Every read command (org list, contracts check, cluster nodes, audit verify, audit verify-export, db status,
outbox list) takes --json: one JSON document on standard output and nothing else there; messages go to
standard error. Commands that write (org register, suspend, activate, bind-cert, unbind-cert, outbox requeue,
db migrate) bring the schema up to date first, through DATABASE_OWNER_URL when it is set; commands that read
never migrate, and refuse a schema older than this version (exit 3).

The database is DATABASE_URL, or the embedded PostgreSQL of npm start (started for the command if it is not
running). "<command> --help" or "help <command>" shows a command's own options.

${EXIT_CODES_HELP}`;

/**
 * The admin CLI's commands. Each group's module imports what its actions
 * need only when they run, so `--help` and `--version` load commander alone.
 */
export function buildProgram(): Command {
  const program = new Command('npm run cli --')
    .description('Passerelle administration: organisations, certificates, contracts, the audit log, the outbox')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (also: help <command>)')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', AFTER_HELP);
  registerOrgCommands(program);
  registerContractsCommands(program);
  registerClusterCommands(program);
  registerAuditCommands(program);
  registerOutboxCommands(program);
  registerDbCommands(program);
  registerDevCommands(program);
  return program;
}
