import type { AppConfig } from '../platform/config/config';
import { migrateAsOwner } from '../platform/database/migrate';
import { UsageError } from './usage';

export const DB_USAGE = `  db migrate                            bring the schema up to date as the owner (DATABASE_OWNER_URL), then exit:
                                        run once before nodes that are given the application's login only
`;

/**
 * `db migrate`: the migrations alone, under the same cluster-wide lock the
 * gateway takes at boot. A deployment runs it once, as a one-shot job with the
 * owner's login, and starts its nodes with the application's login only: no
 * node then holds credentials that could change the schema or the audit log.
 */
export async function db(config: AppConfig, args: string[]): Promise<string> {
  if (args[0] !== 'migrate') throw new UsageError(`unknown db command "${args[0] ?? ''}"`);
  if (config.databaseOwnerUrl === undefined) {
    throw new UsageError('db migrate needs DATABASE_OWNER_URL: the login that owns the schema');
  }
  const applied = await migrateAsOwner(config.databaseOwnerUrl);
  if (applied.length === 0) return 'the schema is up to date';
  return [`applied ${applied.length} migration(s):`, ...applied.map((migration) => `  ${migration.name}`)].join('\n');
}
