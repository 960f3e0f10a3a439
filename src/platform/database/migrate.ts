import { DataSource, type Migration } from 'typeorm';
import { dataSourceOptions, MIGRATIONS } from './data-source-options';

// An arbitrary constant shared by every gateway node: one node migrates, the
// others wait and then find nothing left to do.
const MIGRATION_LOCK_KEY = 7_361_025_001;

/** Runs pending migrations under a cluster-wide advisory lock. */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** Runs the migrations as the owner at `url`, on a connection of its own. */
export async function migrateAsOwner(url: string): Promise<Migration[]> {
  // Two connections: one holds the migration lock while the other migrates.
  const owner = new DataSource(dataSourceOptions({ url, poolMax: 2, statementTimeoutMs: 600_000 }));
  await owner.initialize();
  try {
    const applied = await runMigrations(owner);
    // Each start, not once: the audit log's partitions for this month and the next (see the audit-partitions migration).
    await owner.query('SELECT audit_event_ensure_partitions()');
    return applied;
  } finally {
    await owner.destroy();
  }
}

export class SchemaBehindError extends Error {}

/**
 * Brings the schema up to date for `dataSource` (the application's login):
 * through the owner's login when one is given, which alone may change the
 * schema. Without it, a schema older than the code stops the start rather
 * than failing later on a missing column. Returns the names of the
 * migrations applied.
 */
export async function migrateSchema(dataSource: DataSource, ownerUrl: string | undefined): Promise<string[]> {
  if (ownerUrl !== undefined) return (await migrateAsOwner(ownerUrl)).map((migration) => migration.name);
  let applied: Set<string>;
  try {
    const rows = await dataSource.query<{ name: string }[]>('SELECT name FROM schema_migrations');
    applied = new Set(rows.map((row) => row.name));
  } catch {
    applied = new Set();
  }
  if (MIGRATIONS.some((migration) => !applied.has(migration.name))) {
    throw new SchemaBehindError(
      'The database schema is older than this version and DATABASE_OWNER_URL is not set: ' +
        'set it to the owner login so the gateway migrates the schema, or migrate first ' +
        '(npm run cli -- db migrate, with DATABASE_OWNER_URL).',
    );
  }
  return [];
}
