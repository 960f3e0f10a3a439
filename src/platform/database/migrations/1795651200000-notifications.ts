import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1795651200000 implements MigrationInterface {
  name = 'Notifications1795651200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // An outbox event is dispatched once: it becomes one delivery per channel.
    await queryRunner.query('ALTER TABLE outbox_event ADD COLUMN dispatched_at timestamptz');
    await queryRunner.query('CREATE INDEX outbox_event_pending ON outbox_event (id) WHERE dispatched_at IS NULL');

    await queryRunner.query(`
      CREATE TABLE organisation_webhook (
        organisation  text PRIMARY KEY REFERENCES organisation (id),
        url           text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE notification_delivery (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id         bigint NOT NULL REFERENCES outbox_event (id),
        channel          text NOT NULL CHECK (channel IN ('webhook', 'mail')),
        recipient        text NOT NULL,
        status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_error       text,
        delivered_at     timestamptz,
        UNIQUE (event_id, channel)
      )`);
    await queryRunner.query(
      "CREATE INDEX notification_delivery_due ON notification_delivery (next_attempt_at) WHERE status = 'pending'",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE notification_delivery');
    await queryRunner.query('DROP TABLE organisation_webhook');
    await queryRunner.query('DROP INDEX outbox_event_pending');
    await queryRunner.query('ALTER TABLE outbox_event DROP COLUMN dispatched_at');
  }
}
