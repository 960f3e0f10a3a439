/**
 * What the gateway's own database login could do to the audit log besides
 * appending to it. The gateway refuses to start while any of these holds: a
 * log its own credentials can rewrite proves nothing against whoever holds
 * them.
 */
export interface AuditPrivilegeFacts {
  login: string;
  superuser: boolean;
  /** Owner of `audit_event`, or a member of its owner: may ALTER it, disable its triggers, TRUNCATE. */
  owner: boolean;
  update: boolean;
  delete: boolean;
  truncate: boolean;
  trigger: boolean;
  /** May SET session_replication_role (PostgreSQL 15+ can grant it), which silences every trigger. */
  replicationRole: boolean;
}

/** Each power the login has over the audit log, in words; none for a login fit to run the gateway. Pure. */
export function auditTamperPowers(facts: AuditPrivilegeFacts): string[] {
  const powers: string[] = [];
  if (facts.superuser) powers.push('is a superuser');
  if (facts.owner) powers.push('owns audit_event (or is a member of its owner)');
  if (facts.update) powers.push('may UPDATE audit_event');
  if (facts.delete) powers.push('may DELETE from audit_event');
  if (facts.truncate) powers.push('may TRUNCATE audit_event');
  if (facts.trigger) powers.push('may create triggers on audit_event');
  if (facts.replicationRole) powers.push('may SET session_replication_role');
  return powers;
}

// PostgreSQL before 15 has no has_parameter_privilege: there, only a superuser may set session_replication_role.
const FACTS_SQL = (withParameterPrivilege: boolean): string => `
  SELECT current_user AS login, r.rolsuper AS superuser,
         pg_has_role(current_user, c.relowner, 'MEMBER') AS owner,
         has_table_privilege('audit_event', 'UPDATE') AS update,
         has_table_privilege('audit_event', 'DELETE') AS delete,
         has_table_privilege('audit_event', 'TRUNCATE') AS truncate,
         has_table_privilege('audit_event', 'TRIGGER') AS trigger,
         ${withParameterPrivilege ? "has_parameter_privilege('session_replication_role', 'SET')" : 'r.rolsuper'}
           AS "replicationRole"
  FROM pg_roles r, pg_class c
  WHERE r.rolname = current_user AND c.oid = 'public.audit_event'::regclass`;

export type QueryRows = (text: string) => Promise<unknown[]>;

/** Reads the facts for the login `query` runs as. */
export async function readAuditPrivileges(query: QueryRows): Promise<AuditPrivilegeFacts> {
  const [{ version }] = (await query(`SELECT current_setting('server_version_num')::int AS version`)) as {
    version: number;
  }[];
  const [facts] = (await query(FACTS_SQL(version >= 150_000))) as AuditPrivilegeFacts[];
  return facts;
}

export class AuditPrivilegeError extends Error {}

/** Throws, naming the login and every power it has, unless the login may only append to and read the log. */
export async function assertAppendOnlyLogin(query: QueryRows): Promise<void> {
  const facts = await readAuditPrivileges(query);
  const powers = auditTamperPowers(facts);
  if (powers.length === 0) return;
  throw new AuditPrivilegeError(
    `DATABASE_URL: the login "${facts.login}" ${powers.join(', ')}; it could rewrite the audit log. ` +
      'The gateway runs as a login that owns nothing and may only INSERT and SELECT on audit_event; ' +
      'migrations run as the owner (DATABASE_OWNER_URL). See "Database logins" in the README.',
  );
}
