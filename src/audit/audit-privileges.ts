/**
 * What the gateway's own database login could do to the audit log besides
 * appending to it. The gateway refuses to start while any of these holds: a
 * log its own credentials can rewrite proves nothing against whoever holds
 * them.
 */
export interface AuditPrivilegeFacts {
  login: string;
  superuser: boolean;
  /** Owner of `audit_event` or of a partition, or a member of that owner: may ALTER it, disable its triggers, TRUNCATE. */
  owner: boolean;
  update: boolean;
  delete: boolean;
  truncate: boolean;
  trigger: boolean;
  /** May SET session_replication_role (PostgreSQL 15+ can grant it), which silences every trigger. */
  replicationRole: boolean;
  /**
   * Owns, or may rewrite or remove, the signed evidence kept with the log:
   * UPDATE, DELETE, TRUNCATE or TRIGGER on `audit_checkpoint`, DELETE,
   * TRUNCATE or TRIGGER on `audit_head` (whose UPDATE its trigger keeps
   * moving forward).
   */
  evidence: boolean;
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
  if (facts.evidence) powers.push('may rewrite or remove signed evidence (audit_checkpoint, audit_head)');
  return powers;
}

// PostgreSQL before 15 has no has_parameter_privilege: there, only a superuser may set session_replication_role.
// The log is the parent table and each of its partitions: a right on one partition is a right over the log.
const FACTS_SQL = (withParameterPrivilege: boolean): string => `
  WITH log AS (
    SELECT c.oid, c.relowner FROM pg_class c WHERE c.oid = 'public.audit_event'::regclass
    UNION ALL
    SELECT c.oid, c.relowner FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.audit_event'::regclass
  )
  SELECT current_user AS login, r.rolsuper AS superuser,
         bool_or(pg_has_role(current_user, log.relowner, 'MEMBER')) AS owner,
         bool_or(has_table_privilege(log.oid, 'UPDATE')) AS update,
         bool_or(has_table_privilege(log.oid, 'DELETE')) AS delete,
         bool_or(has_table_privilege(log.oid, 'TRUNCATE')) AS truncate,
         bool_or(has_table_privilege(log.oid, 'TRIGGER')) AS trigger,
         ${withParameterPrivilege ? "has_parameter_privilege('session_replication_role', 'SET')" : 'r.rolsuper'}
           AS "replicationRole",
         EXISTS (
           SELECT 1 FROM pg_class e
           WHERE e.oid IN (to_regclass('public.audit_checkpoint'), to_regclass('public.audit_head'))
             AND (pg_has_role(current_user, e.relowner, 'MEMBER') OR has_table_privilege(e.oid, 'DELETE')
                  OR has_table_privilege(e.oid, 'TRUNCATE') OR has_table_privilege(e.oid, 'TRIGGER')
                  OR (e.relname = 'audit_checkpoint' AND has_table_privilege(e.oid, 'UPDATE')))
         ) AS evidence
  FROM pg_roles r, log
  WHERE r.rolname = current_user
  GROUP BY r.rolsuper`;

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
