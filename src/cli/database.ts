import { DataSource } from 'typeorm';
import { VERIFY_SEGMENTS } from '../audit/audit-verify';
import type { AppConfig } from '../platform/config/config';
import { dataSourceOptions } from '../platform/database/data-source-options';
import { embeddedDatabaseUrl, startEmbeddedPostgres } from '../platform/database/embedded-postgres';
import { isConnectionError } from '../platform/database/sql';
import { runMigrations } from '../platform/database/migrate';

async function connect(url: string): Promise<DataSource> {
  // One connection for each segment `audit verify` reads at once.
  const poolMax = VERIFY_SEGMENTS;
  const dataSource = new DataSource(dataSourceOptions({ url, poolMax, statementTimeoutMs: 30_000 }));
  await dataSource.initialize();
  return dataSource;
}

/**
 * Runs `work` against the gateway's database: DATABASE_URL when set, otherwise
 * the embedded cluster, reusing it if `npm start` is running and starting it
 * for the duration of the command if not.
 */
export async function withDatabase<T>(config: AppConfig, work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dataSource: DataSource;
  if (config.databaseUrl !== undefined) {
    dataSource = await connect(config.databaseUrl);
  } else {
    try {
      dataSource = await connect(embeddedDatabaseUrl(config.embeddedPg.port));
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const embedded = await startEmbeddedPostgres(config.embeddedPg);
      stopEmbedded = () => embedded.stop();
      dataSource = await connect(embedded.url);
    }
  }
  try {
    await runMigrations(dataSource);
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
    await stopEmbedded?.();
  }
}
