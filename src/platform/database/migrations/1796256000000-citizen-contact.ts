import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '../logins';

/**
 * How Passerelle reaches a citizen: one record per pivot subject, with the
 * confirmed e-mail address, an address waiting for confirmation (only the
 * SHA-256 of its one-time token is kept), a mobile number, the language and
 * the events the citizen wants by e-mail and by text message. Deliveries gain
 * an `sms` channel, and `skipped` for a message that had nobody to go to
 * when its turn came.
 */
export class CitizenContact1796256000000 implements MigrationInterface {
  name = 'CitizenContact1796256000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE citizen_contact (
        subject              text PRIMARY KEY CHECK (length(subject) BETWEEN 1 AND 255),
        email                text CHECK (length(email) <= 254),
        email_confirmed      boolean NOT NULL DEFAULT false,
        pending_email        text CHECK (length(pending_email) <= 254),
        pending_token_hash   text CHECK (pending_token_hash ~ '^[0-9a-f]{64}$'),
        pending_expires_at   timestamptz,
        mobile               text CHECK (mobile ~ '^\\+[1-9][0-9]{6,14}$'),
        lang                 text NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
        mail_events          text[] NOT NULL,
        sms_events           text[] NOT NULL DEFAULT '{}',
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CHECK (email IS NOT NULL OR NOT email_confirmed),
        CHECK ((pending_email IS NULL) = (pending_token_hash IS NULL)
               AND (pending_token_hash IS NULL) = (pending_expires_at IS NULL))
      )`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON citizen_contact TO ${APPLICATION_ROLE}`);

    await queryRunner.query(`
      ALTER TABLE notification_delivery
        DROP CONSTRAINT notification_delivery_channel_check,
        ADD CONSTRAINT notification_delivery_channel_check CHECK (channel IN ('webhook', 'mail', 'sms')),
        DROP CONSTRAINT notification_delivery_status_check,
        ADD CONSTRAINT notification_delivery_status_check
          CHECK (status IN ('pending', 'delivered', 'dead', 'skipped'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM notification_delivery WHERE channel = 'sms'");
    await queryRunner.query("UPDATE notification_delivery SET status = 'dead' WHERE status = 'skipped'");
    await queryRunner.query(`
      ALTER TABLE notification_delivery
        DROP CONSTRAINT notification_delivery_channel_check,
        ADD CONSTRAINT notification_delivery_channel_check CHECK (channel IN ('webhook', 'mail')),
        DROP CONSTRAINT notification_delivery_status_check,
        ADD CONSTRAINT notification_delivery_status_check CHECK (status IN ('pending', 'delivered', 'dead'))`);
    await queryRunner.query('DROP TABLE citizen_contact');
  }
}
