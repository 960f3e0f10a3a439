import type { MigrationInterface, QueryRunner } from 'typeorm';

export const AUDIT_APPENDER_ROLE = 'passerelle_audit_appender';

export class Audit1795737600000 implements MigrationInterface {
  name = 'Audit1795737600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The hash-chained audit log. `canonical` is the exact RFC 8785 text that was
    // hashed; `payload` is the same record as jsonb, for queries. The other
    // columns are copies of its members for the officers' filters, checked
    // against it by the verifier. Citizens appear only as HMAC pseudonyms.
    await queryRunner.query(`
      CREATE TABLE audit_event (
        seq                bigint PRIMARY KEY CHECK (seq >= 1),
        recorded_at        timestamptz NOT NULL,
        kind               text NOT NULL,
        organisation       text,
        citizen_pseudonym  text,
        product            text,
        purpose            text,
        decision           text,
        correlation_id     text,
        payload            jsonb NOT NULL,
        prev_hash          text NOT NULL,
        record_hash        text NOT NULL UNIQUE,
        canonical          text NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX audit_event_citizen ON audit_event (citizen_pseudonym, seq)');
    await queryRunner.query('CREATE INDEX audit_event_organisation ON audit_event (organisation, seq)');
    await queryRunner.query(`
      CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'P0001';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only()`);
    await queryRunner.query('REVOKE ALL ON audit_event FROM PUBLIC');
    // Appends run under a role that may only INSERT (and read the head of the chain).
    // Roles belong to the cluster: created once, granted per database.
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AUDIT_APPENDER_ROLE}') THEN
          CREATE ROLE ${AUDIT_APPENDER_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await queryRunner.query(`GRANT INSERT, SELECT ON audit_event TO ${AUDIT_APPENDER_ROLE}`);
    await queryRunner.query(`GRANT ${AUDIT_APPENDER_ROLE} TO CURRENT_USER`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`REVOKE ALL ON audit_event FROM ${AUDIT_APPENDER_ROLE}`);
    await queryRunner.query('DROP TABLE audit_event');
    await queryRunner.query('DROP FUNCTION audit_event_is_append_only()');
  }
}
