import type { DataSource, Migration } from 'typeorm';

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
