import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { embeddedDatabaseUrl } from './embedded-postgres';

/**
 * For the TypeORM CLI (`npm run migration:*`). Without DATABASE_URL it targets
 * the embedded cluster that `npm start` runs.
 */
const config = loadConfig(process.env);
export default new DataSource(
  dataSourceOptions({
    url: config.databaseUrl ?? embeddedDatabaseUrl(config.embeddedPg.port),
    poolMax: 2,
    statementTimeoutMs: 60_000,
  }),
);
