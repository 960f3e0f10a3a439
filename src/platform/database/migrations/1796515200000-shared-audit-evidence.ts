import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '../logins';

/**
 * The audit log's signed evidence, in one place that every gateway node and
 * the verifier read: the signed checkpoints, whichever node made them, and
 * the signed head of the last committed batch, written in that batch's own
 * statement by the node that committed it. Both hold JWS by the gateway key,
 * which the database never sees: an operator can remove evidence, not forge it.
 */
export class SharedAuditEvidence1796515200000 implements MigrationInterface {
  name = 'SharedAuditEvidence1796515200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // `seq` and `node` are copies of the signed statement, for reading; the verifier checks them against it.
    await queryRunner.query(`
      CREATE TABLE audit_checkpoint (
        seq          bigint PRIMARY KEY CHECK (seq >= 1),
        node         text NOT NULL CHECK (char_length(node) BETWEEN 1 AND 200),
        signed_at    timestamptz NOT NULL,
        jws          text NOT NULL CHECK (char_length(jws) <= 2000),
        recorded_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE FUNCTION audit_checkpoint_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit checkpoints are append-only' USING ERRCODE = 'P0001';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
      FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_is_append_only()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
      FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_is_append_only()`);

    // One row: the head as the last batch left it. It only moves forward; at the same seq only its state
    // (appending, stopped) and signature change.
    await queryRunner.query(`
      CREATE TABLE audit_head (
        id         boolean PRIMARY KEY DEFAULT true CHECK (id),
        seq        bigint NOT NULL CHECK (seq >= 0),
        head_hash  text NOT NULL,
        state      text NOT NULL CHECK (state IN ('appending', 'stopped')),
        node       text NOT NULL CHECK (char_length(node) BETWEEN 1 AND 200),
        signed_at  timestamptz NOT NULL,
        jws        text NOT NULL CHECK (char_length(jws) <= 2000)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION audit_head_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' THEN
          RAISE EXCEPTION 'the signed audit head cannot be removed' USING ERRCODE = 'P0001';
        END IF;
        IF NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.head_hash <> OLD.head_hash) THEN
          RAISE EXCEPTION 'the signed audit head only moves forward' USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
      FOR EACH ROW EXECUTE FUNCTION audit_head_moves_forward()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
      FOR EACH STATEMENT EXECUTE FUNCTION audit_head_moves_forward()`);

    await queryRunner.query('REVOKE ALL ON audit_checkpoint, audit_head FROM PUBLIC');
    await queryRunner.query(`GRANT INSERT, SELECT ON audit_checkpoint TO ${APPLICATION_ROLE}`);
    // UPDATE for the upsert of each batch; the trigger keeps it moving forward.
    await queryRunner.query(`GRANT INSERT, SELECT, UPDATE ON audit_head TO ${APPLICATION_ROLE}`);
    // Whoever may read the log (an auditor's login) may read its evidence: the verifier needs both.
    await queryRunner.query(`
      DO $$
      DECLARE item record;
      BEGIN
        FOR item IN
          SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee
          FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
          WHERE c.oid = 'public.audit_event'::regclass AND a.grantee <> c.relowner AND a.privilege_type = 'SELECT'
        LOOP
          EXECUTE format('GRANT SELECT ON public.audit_checkpoint, public.audit_head TO %s', item.grantee);
        END LOOP;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`REVOKE ALL ON audit_checkpoint, audit_head FROM ${APPLICATION_ROLE}`);
    await queryRunner.query('DROP TABLE audit_head');
    await queryRunner.query('DROP FUNCTION audit_head_moves_forward()');
    await queryRunner.query('DROP TABLE audit_checkpoint');
    await queryRunner.query('DROP FUNCTION audit_checkpoint_is_append_only()');
  }
}
