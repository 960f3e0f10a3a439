import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Portal1795824000000 implements MigrationInterface {
  name = 'Portal1795824000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A browser session of the portal. Only a hash of the cookie's token is kept; a
    // session under way to the IdP has `login` (state, nonce, PKCE verifier) and no subject yet.
    await queryRunner.query(`
      CREATE TABLE portal_session (
        token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        subject     text,
        roles       text[] NOT NULL DEFAULT '{}',
        csrf        text NOT NULL,
        login       jsonb,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        CHECK ((subject IS NULL) <> (login IS NULL))
      )`);
    await queryRunner.query('CREATE INDEX portal_session_expiry ON portal_session (expires_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE portal_session');
  }
}
