/**
 * The floor's database: a database of its own on the server the gateway is
 * measured on, with two million consents behind a covering index and an
 * empty hash-chained audit table, built once per run and dropped after.
 * Same tables, rows and index as the reference floor, so that its lookups
 * touch as many pages as the gateway's would at that size.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** As many consents as the reference floor: more than shared_buffers holds, as in production. */
export const FLOOR_CONSENTS = 2_000_000;

/** The reference floor's tables, rows and index, in order. */
export const SCHEMA = [
  `CREATE TABLE consent (citizen_id uuid, org_id text, purpose text, product text, status text,
     valid_from timestamptz, valid_to timestamptz)`,
  `CREATE TABLE audit (seq bigserial PRIMARY KEY, at timestamptz DEFAULT now(), org_id text, citizen_ref text,
     purpose text, product text, decision text, prev_hash bytea, hash bytea, details jsonb)`,
  // Rows generated in the server, without a round trip each; the index built after, in one sort.
  `INSERT INTO consent SELECT md5(i::text)::uuid, 'org-' || (i % 50), 'purpose-' || (i % 20),
     'product-' || (i % 30), 'active', now() - interval '1 day', NULL FROM generate_series(1, ${FLOOR_CONSENTS}) i`,
  `CREATE INDEX consent_lookup ON consent (citizen_id, org_id, purpose, product)
     INCLUDE (status, valid_from, valid_to)`,
  // The visibility map makes the lookup index-only; the statistics make the planner choose the index.
  'VACUUM ANALYZE consent',
];

export interface FloorDatabase {
  /** The server's superuser on the floor's database, as the reference floor connects. */
  url: string;
  setupSeconds: number;
}

/** Runs `work` with the floor's database filled on the server of `adminUrl`, and drops it afterwards. */
export async function withFloorDatabase<T>(
  adminUrl: string,
  work: (database: FloorDatabase) => Promise<T>,
): Promise<T> {
  const name = `passerelle_floor_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const started = performance.now();
    await admin.query(`CREATE DATABASE "${name}"`);
    const parsed = new URL(adminUrl);
    parsed.pathname = `/${name}`;
    const url = parsed.toString();
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      // A larger sort memory builds the index in one pass; it changes nothing once built.
      await db.query("SET maintenance_work_mem = '256MB'");
      for (const statement of SCHEMA) await db.query(statement);
    } finally {
      await db.end();
    }
    const setupSeconds = Math.round((performance.now() - started) / 100) / 10;
    return await work({ url, setupSeconds });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
