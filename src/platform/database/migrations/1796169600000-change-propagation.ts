import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '../logins';

/**
 * Tell us once, pushed. A consent may keep its requester up to date
 * (`keep_up_to_date`, copied onto its grants so that the fan-out finds the
 * recipients of a change by index); agencies subscribe per product and
 * purpose; owners report changes, which a job fans out to the outbox.
 */
export class ChangePropagation1796169600000 implements MigrationInterface {
  name = 'ChangePropagation1796169600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE consent ADD COLUMN keep_up_to_date boolean NOT NULL DEFAULT false');
    await queryRunner.query('ALTER TABLE consent_grant ADD COLUMN keep_up_to_date boolean NOT NULL DEFAULT false');
    await queryRunner.query('ALTER TABLE consent_request ADD COLUMN keep_up_to_date boolean NOT NULL DEFAULT false');
    // The recipients of a change of (citizen, product): only grants that keep their requester up to date.
    await queryRunner.query(`
      CREATE INDEX consent_grant_updates ON consent_grant (citizen, product, valid_until)
      INCLUDE (requester, purpose, valid_from) WHERE keep_up_to_date`);

    await queryRunner.query(`
      CREATE TABLE subscription (
        organisation  text NOT NULL REFERENCES organisation (id),
        product       text NOT NULL,
        purpose       text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organisation, product, purpose)
      )`);
    await queryRunner.query('CREATE INDEX subscription_product ON subscription (product, purpose, organisation)');

    // A change as its owner reported it: the citizen by pivot id, once per (product, citizen, changedAt).
    await queryRunner.query(`
      CREATE TABLE change_report (
        id             uuid PRIMARY KEY,
        product        text NOT NULL,
        citizen        text NOT NULL,
        changed_at     timestamptz NOT NULL,
        reported_by    text NOT NULL REFERENCES organisation (id),
        reported_at    timestamptz NOT NULL DEFAULT now(),
        fanned_out_at  timestamptz,
        notified       integer CHECK (notified >= 0),
        UNIQUE (product, citizen, changed_at)
      )`);
    await queryRunner.query(
      'CREATE INDEX change_report_pending ON change_report (reported_at, id) WHERE fanned_out_at IS NULL',
    );
    // A batch's answer, kept for its Idempotency-Key.
    await queryRunner.query(`
      CREATE TABLE change_batch (
        reported_by   text NOT NULL,
        key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        request_hash  text NOT NULL,
        change_ids    uuid[] NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (reported_by, key)
      )`);
    await queryRunner.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON subscription, change_report, change_batch TO ${APPLICATION_ROLE}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE change_batch');
    await queryRunner.query('DROP TABLE change_report');
    await queryRunner.query('DROP TABLE subscription');
    await queryRunner.query('DROP INDEX consent_grant_updates');
    await queryRunner.query('ALTER TABLE consent_request DROP COLUMN keep_up_to_date');
    await queryRunner.query('ALTER TABLE consent_grant DROP COLUMN keep_up_to_date');
    await queryRunner.query('ALTER TABLE consent DROP COLUMN keep_up_to_date');
  }
}
