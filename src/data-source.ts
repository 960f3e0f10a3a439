import { DataSource } from 'typeorm';
import { IDENTITY_ENTITIES } from './identity/organisation.repository';
import { loadConfig } from './platform/config/config';
import { dataSourceOptions } from './platform/database/data-source-options';
import { embeddedDatabaseUrl } from './platform/database/embedded-postgres';

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
    entities: IDENTITY_ENTITIES,
  }),
);
