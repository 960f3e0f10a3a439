import type { Command } from 'commander';
import { CannotConnect, EXIT } from './exit-codes';
import { loadCliConfig, print, write, type JsonOption } from './output';
import { UsageError } from './usage';

/**
 * `db migrate`: the migrations alone, under the same cluster-wide lock the
 * gateway takes at boot. A deployment runs it once, as a one-shot job with the
 * owner's login, and starts its nodes with the application's login only: no
 * node then holds credentials that could change the schema or the audit log.
 */
async function migrate(): Promise<void> {
  const config = await loadCliConfig();
  if (config.databaseOwnerUrl === undefined) {
    throw new UsageError('db migrate needs DATABASE_OWNER_URL: the login that owns the schema');
  }
  const { migrateAsOwner } = await import('../platform/database/migrate');
  const applied = await migrateAsOwner(config.databaseOwnerUrl);
  if (applied.length === 0) await write('the schema is up to date\n');
  else {
    const names = applied.map((migration) => `  ${migration.name}`);
    await write(`${[`applied ${applied.length} migration(s):`, ...names].join('\n')}\n`);
  }
}

/** `db status`: which of this version's migrations the database has, as the application's login sees it. */
async function status(options: JsonOption): Promise<void> {
  const config = await loadCliConfig();
  const { schemaStatus, withDatabase } = await import('./database');
  const found = await withDatabase(config, schemaStatus, { readOnly: true, anySchema: true });
  if (found === undefined) throw new CannotConnect('this login may not read schema_migrations');
  const current = found.pending.length === 0;
  const text = (): string =>
    current
      ? `the schema is up to date: ${found.applied.length} migration(s) applied`
      : [`${found.pending.length} migration(s) pending (run db migrate):`, ...found.pending.map((n) => `  ${n}`)].join(
          '\n',
        );
  await print(options, text, () => ({ current, applied: found.applied, pending: found.pending }));
  if (!current) process.exitCode = EXIT.failed;
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the database schema');
  db.command('migrate')
    .description(
      'bring the schema up to date as the owner (DATABASE_OWNER_URL), then exit: run once before nodes that are ' +
        "given the application's login only",
    )
    .action(() => migrate());
  db.command('status')
    .description('the migrations applied and pending; changes nothing (exit 1 when some are pending)')
    .option('--json', 'one JSON document: {current, applied, pending}')
    .action((options: JsonOption) => status(options));
}
