import { Client } from 'pg';

/**
 * Two database logins, so that the audit log holds against the gateway's own
 * credentials: the owner runs migrations and owns every table; the
 * application's login owns nothing and may only INSERT and SELECT on
 * `audit_event`. A stolen application password, or a bug in the gateway,
 * cannot disable the append-only triggers, truncate the table or replay
 * changes as a replica.
 *
 * The application's rights are granted to a group role by the migrations;
 * the application's login is a member of it, whatever its name.
 */
export const APPLICATION_ROLE = 'passerelle_application';
/** Kept for the migration that first created it; nothing runs under it any more. */
const AUDIT_APPENDER_ROLE = 'passerelle_audit_appender';

export interface Login {
  name: string;
  password: string;
}

export interface Logins {
  owner: Login;
  application: Login;
}

/** The development logins of embedded PostgreSQL and the test clusters (which listen on 127.0.0.1 only). */
export const DEV_LOGINS: Logins = {
  owner: { name: 'passerelle_owner', password: 'passerelle-owner-dev' },
  application: { name: 'passerelle_app', password: 'passerelle-app-dev' },
};

/** `url` with another login (and, when given, another database). */
export function asLogin(url: string, login: Login, database?: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(login.name);
  parsed.password = encodeURIComponent(login.password);
  if (database !== undefined) parsed.pathname = `/${database}`;
  return parsed.toString();
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain PostgreSQL identifier: ${name}`);
  return name;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Runs `sql`, treating a concurrent creation of the same role by another process as done. */
async function idempotent(client: Client, sql: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // duplicate_object, unique_violation (pg_authid under a race), or a concurrent catalog update.
    if (code !== '42710' && code !== '23505' && code !== 'XX000') throw error;
  }
}

/**
 * As a superuser of a development or test cluster: creates the two logins and
 * the group roles, makes the owner own `database` and everything already in
 * its public schema (clusters made before the logins were split), and makes
 * the application's login a member of the application role. Idempotent.
 * Returns the URLs of both logins on `database`.
 */
export async function provisionLogins(
  adminUrl: string,
  database: string,
  logins: Logins = DEV_LOGINS,
): Promise<{ ownerUrl: string; applicationUrl: string }> {
  const owner = identifier(logins.owner.name);
  const app = identifier(logins.application.name);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const [name, password] of [
      [owner, logins.owner.password],
      [app, logins.application.password],
    ] as const) {
      await idempotent(
        admin,
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${name}') THEN CREATE ROLE ${name} LOGIN; END IF;
         END $$`,
      );
      await idempotent(
        admin,
        `ALTER ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${literal(password)}`,
      );
    }
    for (const group of [APPLICATION_ROLE, AUDIT_APPENDER_ROLE]) {
      await idempotent(
        admin,
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${group}') THEN CREATE ROLE ${group} NOLOGIN; END IF;
         END $$`,
      );
      // The owner's migrations grant table rights to the group roles and may take them in.
      await idempotent(admin, `GRANT ${group} TO ${owner} WITH ADMIN OPTION`);
    }
    await idempotent(admin, `GRANT ${APPLICATION_ROLE} TO ${app}`);
    await admin.query(`ALTER DATABASE "${database.replaceAll('"', '""')}" OWNER TO ${owner}`);
  } finally {
    await admin.end();
  }

  const inDatabase = new Client({ connectionString: withDatabase(adminUrl, database) });
  await inDatabase.connect();
  try {
    await inDatabase.query(`ALTER SCHEMA public OWNER TO ${owner}`);
    await inDatabase.query(`
      DO $$
      DECLARE item record;
      BEGIN
        FOR item IN
          SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
            AND pg_get_userbyid(c.relowner) <> '${owner}'
        LOOP
          EXECUTE format('ALTER TABLE public.%I OWNER TO ${owner}', item.relname);
        END LOOP;
        FOR item IN
          SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> '${owner}'
        LOOP
          EXECUTE format('ALTER FUNCTION %s OWNER TO ${owner}', item.signature);
        END LOOP;
      END $$`);
  } finally {
    await inDatabase.end();
  }
  return {
    ownerUrl: asLogin(adminUrl, logins.owner, database),
    applicationUrl: asLogin(adminUrl, logins.application, database),
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
