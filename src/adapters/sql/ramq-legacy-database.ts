import { Client } from 'pg';
import { RAMQ_ROWS } from '../simulators/demo-records';

export const RAMQ_DATABASE = 'ramq_legacy';
const READER = 'ramq_lecteur';
const READER_PASSWORD = 'ramq-lecteur-dev';

/**
 * The `ramq` demo source: a database of its own with the agency's legacy
 * schema and upper-case codes, read through a role that may only SELECT.
 * Idempotent; returns the reader's connection URL.
 */
export async function ensureRamqLegacyDatabase(adminUrl: string, database = RAMQ_DATABASE): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await ignoreDuplicate(admin.query(`CREATE DATABASE "${database}"`));
    await ignoreDuplicate(
      admin.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${READER}') THEN
          CREATE ROLE ${READER} LOGIN PASSWORD '${READER_PASSWORD}';
        END IF;
      END $$`),
    );
  } finally {
    await admin.end();
  }

  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [database]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ramq_admissibilite`);
    await client.query(`CREATE TABLE IF NOT EXISTS ramq_admissibilite.admissibilite (
      no_assurance_maladie char(12) PRIMARY KEY,
      cd_statut char(1) NOT NULL CHECK (cd_statut IN ('A', 'S', 'F')),
      dt_debut_couverture date NOT NULL,
      dt_fin_couverture date,
      dt_expiration_carte date NOT NULL
    )`);
    for (const row of RAMQ_ROWS) {
      await client.query(
        `INSERT INTO ramq_admissibilite.admissibilite VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (no_assurance_maladie) DO UPDATE SET cd_statut = EXCLUDED.cd_statut,
           dt_debut_couverture = EXCLUDED.dt_debut_couverture, dt_fin_couverture = EXCLUDED.dt_fin_couverture,
           dt_expiration_carte = EXCLUDED.dt_expiration_carte`,
        [
          row.NO_ASSURANCE_MALADIE,
          row.CD_STATUT,
          row.DT_DEBUT_COUVERTURE,
          row.DT_FIN_COUVERTURE,
          row.DT_EXPIRATION_CARTE,
        ],
      );
    }
    await client.query(`GRANT CONNECT ON DATABASE "${database}" TO ${READER}`);
    await client.query(`GRANT USAGE ON SCHEMA ramq_admissibilite TO ${READER}`);
    await client.query(`GRANT SELECT ON ramq_admissibilite.admissibilite TO ${READER}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }

  url.username = READER;
  url.password = READER_PASSWORD;
  return url.toString();
}

/** Two processes preparing the same cluster may race on CREATE DATABASE or CREATE ROLE. */
async function ignoreDuplicate(query: Promise<unknown>): Promise<void> {
  try {
    await query;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '42710' && code !== '23505') throw error;
  }
}
