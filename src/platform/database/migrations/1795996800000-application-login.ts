import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '../logins';

/** Every table the gateway reads and writes; `audit_event` and `schema_migrations` are granted apart. */
const READ_WRITE_TABLES = [
  'organisation',
  'certificate_binding',
  'citizen_link',
  'consent',
  'consent_grant',
  'consent_use',
  'consent_request',
  'idempotency_key',
  'outbox_event',
  'organisation_webhook',
  'notification_delivery',
  'portal_session',
];

/**
 * The application's rights, granted to a group role that its login joins:
 * read and write on its working tables, INSERT and SELECT only on the audit
 * log, SELECT on the migrations table (to refuse to start on a schema older
 * than its code). It owns nothing, so it can neither ALTER nor TRUNCATE, nor
 * disable a trigger. A later migration that adds a table grants it here too,
 * by name: no default privileges, so a new audit table is never writable by
 * accident.
 */
export class ApplicationLogin1795996800000 implements MigrationInterface {
  name = 'ApplicationLogin1795996800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Roles belong to the cluster: created once (by the operator, or here with CREATEROLE), granted per database.
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APPLICATION_ROLE}') THEN
          CREATE ROLE ${APPLICATION_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO ${APPLICATION_ROLE}`);
    await queryRunner.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ${READ_WRITE_TABLES.join(', ')} TO ${APPLICATION_ROLE}`,
    );
    await queryRunner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APPLICATION_ROLE}`);
    await queryRunner.query(`GRANT INSERT, SELECT ON audit_event TO ${APPLICATION_ROLE}`);
    await queryRunner.query(`GRANT SELECT ON schema_migrations TO ${APPLICATION_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APPLICATION_ROLE}`);
    await queryRunner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APPLICATION_ROLE}`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM ${APPLICATION_ROLE}`);
  }
}
