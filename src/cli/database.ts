import { DataSource, type DataSourceOptions } from 'typeorm';
import { VERIFY_SEGMENTS } from '../audit/audit-verify';
import type { AppConfig } from '../platform/config/config';
import { dataSourceOptions, MIGRATIONS } from '../platform/database/data-source-options';
import { embeddedDatabaseUrl, startEmbeddedPostgres } from '../platform/database/embedded-postgres';
import { asLogin, DEV_LOGINS, provisionLogins } from '../platform/database/logins';
import { isConnectionError } from '../platform/database/connection-errors';
import { migrateAsOwner, migrateSchema } from '../platform/database/migrate';
import { CannotConnect, SchemaNotCurrent } from './exit-codes';

async function connect(url: string, entities: DataSourceOptions['entities'] = []): Promise<DataSource> {
  // One connection for each segment `audit verify` reads at once.
  const poolMax = VERIFY_SEGMENTS;
  const dataSource = new DataSource(dataSourceOptions({ url, poolMax, statementTimeoutMs: 30_000, entities }));
  await dataSource.initialize();
  return dataSource;
}

/** `connect`, with a failure to reach or log in said as such (exit 3), naming no password. */
async function reach(url: string, what: string, entities: DataSourceOptions['entities']): Promise<DataSource> {
  try {
    return await connect(url, entities);
  } catch (error) {
    throw new CannotConnect(`cannot connect to the database (${what}): ${(error as Error).message}`);
  }
}

/** The migrations this version knows, applied or not; undefined when the login may not read them. */
export async function schemaStatus(
  dataSource: DataSource,
): Promise<{ applied: string[]; pending: string[] } | undefined> {
  let rows: { name: string }[];
  try {
    rows = await dataSource.query<{ name: string }[]>('SELECT name FROM schema_migrations ORDER BY id');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42501') return undefined;
    if (code !== '42P01') throw error;
    rows = [];
  }
  const applied = new Set(rows.map((row) => row.name));
  return {
    applied: rows.map((row) => row.name),
    pending: MIGRATIONS.map((migration) => migration.name).filter((name) => !applied.has(name)),
  };
}

/**
 * Refuses a schema older than this version for a command that only reads:
 * it would misread, and reading never migrates. A login that may not see the
 * migrations table (a verifier's read-only login) is not refused here: what
 * it reads tells it soon enough.
 */
async function assertSchemaCurrent(dataSource: DataSource): Promise<void> {
  const status = await schemaStatus(dataSource);
  if (status === undefined || status.pending.length === 0) return;
  throw new SchemaNotCurrent(
    status.applied.length === 0
      ? 'the database has no Passerelle schema yet: run db migrate (with DATABASE_OWNER_URL), or npm start'
      : 'the database schema is older than this version: run db migrate (with DATABASE_OWNER_URL) first',
  );
}

export interface DatabaseAccess {
  /**
   * Read only: no migration, and a schema older than this version is refused
   * (SchemaNotCurrent) rather than changed. Every command that only reads
   * runs so, and anyone given a read-only login can verify the log.
   */
  readOnly?: boolean;
  /** With readOnly: whatever the schema's version (`db status`, which reports it). */
  anySchema?: boolean;
  /** The TypeORM entities the work's repositories use (IDENTITY_ENTITIES for OrganisationRepository). */
  entities?: DataSourceOptions['entities'];
  /**
   * As the owner (DATABASE_OWNER_URL, or the embedded cluster's owner), after
   * migrating: for the one command that changes the audit log's tables,
   * `audit retention`.
   */
  asOwner?: boolean;
}

export class OwnerLoginMissing extends Error {}

/**
 * Runs `work` as the application's login: DATABASE_URL when set, otherwise
 * the embedded cluster, reusing it if `npm start` is running and starting it
 * for the duration of the command if not. A command that writes migrates
 * first (through DATABASE_OWNER_URL when that is set); one that reads never
 * does (see DatabaseAccess). Failing to reach or log in is CannotConnect.
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
    const where = config.databaseUrl === undefined ? 'embedded PostgreSQL' : 'DATABASE_URL';
    const dataSource = await reach(url, where, access.entities);
    try {
      if (access.readOnly === true) {
        if (access.anySchema !== true) await assertSchemaCurrent(dataSource);
      } else if (access.asOwner !== true) await migrateSchema(dataSource, ownerUrl);
      return await work(dataSource);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await stopEmbedded?.();
  }
}
