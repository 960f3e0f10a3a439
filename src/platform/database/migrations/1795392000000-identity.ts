import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1795392000000 implements MigrationInterface {
  name = 'Identity1795392000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organisation (
        id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,62}$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // The binding is keyed by the certificate's SHA-256 fingerprint: the
    // identity lookup on every agency request is one primary-key probe.
    await queryRunner.query(`
      CREATE TABLE certificate_binding (
        fingerprint_sha256 char(64) PRIMARY KEY CHECK (fingerprint_sha256 ~ '^[0-9a-f]{64}$'),
        organisation_id    text NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        subject            text NOT NULL,
        serial_number      text NOT NULL,
        not_after          timestamptz NOT NULL,
        label              text,
        created_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      'CREATE INDEX certificate_binding_organisation_idx ON certificate_binding (organisation_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE certificate_binding');
    await queryRunner.query('DROP TABLE organisation');
  }
}
