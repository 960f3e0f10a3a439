import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/database/embedded-postgres';
import { provisionLogins } from '../src/platform/database/logins';
import { migrateAsOwner } from '../src/platform/database/migrate';
import { freePort } from '../src/platform/net/listen';

/**
 * Runs `work` with an admin URL of a PostgreSQL server: DATABASE_URL when
 * set, otherwise a throw-away embedded cluster removed after, with durability
 * off unless `durable` (commits then wait for the WAL to reach the disk).
 */
export async function withBenchPostgres<T>(
  work: (adminUrl: string) => Promise<T>,
  { durable = false }: { durable?: boolean } = {},
): Promise<T> {
  const given = process.env.DATABASE_URL;
  if (given !== undefined && given !== '') return work(given);
  const scratch = mkdtempSync(join(tmpdir(), 'passerelle-bench-'));
  // As root, the embedded cluster runs as `postgres`, which must reach its directory.
  chmodSync(scratch, 0o755);
  let embedded: EmbeddedDatabase | undefined;
  try {
    embedded = await startEmbeddedPostgres({ dir: join(scratch, 'pg'), port: await freePort(), ephemeral: !durable });
    return await work(embedded.url);
  } finally {
    await embedded?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Writes a result file under bench/results/ and returns its path. */
export function writeResult(name: string, result: unknown): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  return file;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface BenchLogins {
  /** The gateway's login: owns nothing, may only append to and read the audit log. */
  applicationUrl: string;
  ownerUrl: string;
}

/**
 * Runs `work` against a fresh database on the bench server, migrated by its
 * owner and dropped afterwards: `url` is the server's superuser on it (for
 * filling it), `logins` the two logins the gateway runs with.
 */
export async function withMigratedDatabase<T>(work: (url: string, logins: BenchLogins) => Promise<T>): Promise<T> {
  return withBenchPostgres((adminUrl) => withMigratedDatabaseOn(adminUrl, work));
}

/** As withMigratedDatabase, on the server of `adminUrl`: several such databases can live side by side on one server. */
export async function withMigratedDatabaseOn<T>(
  adminUrl: string,
  work: (url: string, logins: BenchLogins) => Promise<T>,
): Promise<T> {
  const database = `passerelle_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  try {
    const logins = await provisionLogins(adminUrl, database);
    await migrateAsOwner(logins.ownerUrl);
    return await work(url.toString(), logins);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}
