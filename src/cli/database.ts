import { DataSource } from 'typeorm';
import { VERIFY_SEGMENTS } from '../audit/audit-verify';
import { IDENTITY_ENTITIES } from '../identity/organisation.repository';
import type { AppConfig } from '../platform/config/config';
import { dataSourceOptions } from '../platform/database/data-source-options';
import { embeddedDatabaseUrl, startEmbeddedPostgres } from '../platform/database/embedded-postgres';
import { asLogin, DEV_LOGINS, provisionLogins } from '../platform/database/logins';
import { isConnectionError } from '../platform/database/sql';
import { migrateAsOwner, migrateSchema } from '../platform/database/migrate';

async function connect(url: string): Promise<DataSource> {
  // One connection for each segment `audit verify` reads at once.
  const poolMax = VERIFY_SEGMENTS;
  const dataSource = new DataSource(
    dataSourceOptions({ url, poolMax, statementTimeoutMs: 30_000, entities: IDENTITY_ENTITIES }),
  );
  await dataSource.initialize();
  return dataSource;
}

export interface DatabaseAccess {
  /**
   * Read only: the audit commands need nothing else, and run no migration,
   * so that anyone given a read-only login can verify the log.
   */
  readOnly?: boolean;
  /**
   * As the owner (DATABASE_OWNER_URL, or the embedded cluster's owner), after
   * migrating: for the one command that changes the audit log's tables,
   * `audit retention`.
   */
  asOwner?: boolean;
}

export class OwnerLoginMissing extends Error {}

/**
 * Runs `work` as the application's login: DATABASE_URL when set (migrated
 * first through DATABASE_OWNER_URL when that is set), otherwise the embedded
 * cluster, reusing it if `npm start` is running and starting it for the
 * duration of the command if not.
 */
export async function withDatabase<T>(
  config: AppConfig,
  work: (dataSource: DataSource) => Promise<T>,
  access: DatabaseAccess = {},
): Promise<T> {
  let stopEmbedded: (() => Promise<void>) | undefined;
  let url = config.databaseUrl;
  let ownerUrl = config.databaseOwnerUrl;
  if (url === undefined) {
    let adminUrl = embeddedDatabaseUrl(config.embeddedPg.port);
    try {
      await (await connect(adminUrl)).destroy();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const embedded = await startEmbeddedPostgres(config.embeddedPg);
      stopEmbedded = () => embedded.stop();
      adminUrl = embedded.url;
    }
    if (access.readOnly === true) url = asLogin(adminUrl, DEV_LOGINS.application);
    else ({ applicationUrl: url, ownerUrl } = await provisionLogins(adminUrl, new URL(adminUrl).pathname.slice(1)));
  }
  try {
    if (access.asOwner === true) {
      if (ownerUrl === undefined) {
        throw new OwnerLoginMissing('this command runs as the owner of the schema: set DATABASE_OWNER_URL');
      }
      await migrateAsOwner(ownerUrl);
      url = ownerUrl;
    }
    const dataSource = await connect(url);
    try {
      if (access.readOnly !== true && access.asOwner !== true) await migrateSchema(dataSource, ownerUrl);
      return await work(dataSource);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await stopEmbedded?.();
  }
}
