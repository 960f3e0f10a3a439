import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Consent1795564800000 implements MigrationInterface {
  name = 'Consent1795564800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Consent records are immutable (ISO/IEC TS 27560): a revocation, an
    // expiry or a use that ends a one-time consent inserts a successor record
    // pointing at its predecessor, with its own signed receipt. The trigger
    // below refuses any UPDATE of a record.
    await queryRunner.query(`
      CREATE TABLE consent (
        id              uuid PRIMARY KEY,
        citizen         text NOT NULL CHECK (length(citizen) BETWEEN 1 AND 128),
        requester       text NOT NULL REFERENCES organisation (id),
        purpose         text NOT NULL,
        products        jsonb NOT NULL CHECK (jsonb_typeof(products) = 'array' AND jsonb_array_length(products) > 0),
        valid_from      timestamptz NOT NULL,
        valid_until     timestamptz NOT NULL CHECK (valid_until > valid_from),
        mode            text NOT NULL CHECK (mode IN ('one-time', 'ongoing')),
        status          text NOT NULL CHECK (status IN ('pending', 'active', 'refused', 'revoked', 'expired')),
        created_at      timestamptz NOT NULL DEFAULT now(),
        decided_at      timestamptz,
        revoked_at      timestamptz,
        revoked_by      text,
        predecessor_id  uuid UNIQUE REFERENCES consent (id),
        request_id      uuid,
        receipt         text NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX consent_citizen ON consent (citizen, created_at DESC)');
    await queryRunner.query(`
      CREATE FUNCTION consent_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'consent records are immutable: insert a successor' USING ERRCODE = 'P0001';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER consent_immutable BEFORE UPDATE ON consent
      FOR EACH ROW EXECUTE FUNCTION consent_is_immutable()`);

    // What the exchange asks: is there an active consent of this citizen for
    // (requester, purpose, product) now? One row per product of each consent
    // that is in force; rows leave when their consent is superseded. The
    // index answers the question with an index-only scan.
    await queryRunner.query(`
      CREATE TABLE consent_grant (
        consent_id   uuid NOT NULL REFERENCES consent (id),
        citizen      text NOT NULL,
        requester    text NOT NULL,
        purpose      text NOT NULL,
        product      text NOT NULL,
        valid_from   timestamptz NOT NULL,
        valid_until  timestamptz NOT NULL,
        PRIMARY KEY (consent_id, product)
      )`);
    await queryRunner.query(`
      CREATE INDEX consent_grant_lookup ON consent_grant (citizen, requester, purpose, product, valid_until)
      INCLUDE (valid_from, consent_id)`);
    await queryRunner.query('CREATE INDEX consent_grant_expiry ON consent_grant (valid_until)');

    // Uses are counted beside the record, which stays immutable.
    await queryRunner.query(`
      CREATE TABLE consent_use (
        consent_id    uuid PRIMARY KEY REFERENCES consent (id),
        use_count     integer NOT NULL DEFAULT 0 CHECK (use_count >= 0),
        last_used_at  timestamptz
      )`);

    // An agency asks; the citizen approves (creating the consent) or rejects.
    await queryRunner.query(`
      CREATE TABLE consent_request (
        id           uuid PRIMARY KEY,
        requester    text NOT NULL REFERENCES organisation (id),
        citizen      text NOT NULL CHECK (length(citizen) BETWEEN 1 AND 128),
        purpose      text NOT NULL,
        products     jsonb NOT NULL,
        valid_until  timestamptz,
        mode         text NOT NULL CHECK (mode IN ('one-time', 'ongoing')),
        message      text CHECK (length(message) <= 500),
        status       text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        created_at   timestamptz NOT NULL DEFAULT now(),
        decided_at   timestamptz,
        consent_id   uuid REFERENCES consent (id)
      )`);
    await queryRunner.query('CREATE INDEX consent_request_citizen ON consent_request (citizen, created_at DESC)');

    // Agency POSTs that carried an Idempotency-Key: the first answer is replayed.
    await queryRunner.query(`
      CREATE TABLE idempotency_key (
        organisation  text NOT NULL,
        key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        request_hash  text NOT NULL,
        status        integer NOT NULL,
        body          jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organisation, key)
      )`);

    // Transactional outbox: an event row commits with the change it reports.
    await queryRunner.query(`
      CREATE TABLE outbox_event (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type          text NOT NULL,
        organisation  text NOT NULL,
        citizen       text NOT NULL,
        payload       jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE outbox_event');
    await queryRunner.query('DROP TABLE idempotency_key');
    await queryRunner.query('DROP TABLE consent_request');
    await queryRunner.query('DROP TABLE consent_use');
    await queryRunner.query('DROP TABLE consent_grant');
    await queryRunner.query('DROP TRIGGER consent_immutable ON consent');
    await queryRunner.query('DROP FUNCTION consent_is_immutable()');
    await queryRunner.query('DROP TABLE consent');
  }
}
