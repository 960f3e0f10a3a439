import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StatelessSignIn1795910400000 implements MigrationInterface {
  name = 'StatelessSignIn1795910400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A sign-in under way now lives in the browser's signed cookie: a row means someone signed in.
    await queryRunner.query('DELETE FROM portal_session WHERE subject IS NULL');
    await queryRunner.query('ALTER TABLE portal_session DROP COLUMN login');
    await queryRunner.query('ALTER TABLE portal_session ALTER COLUMN subject SET NOT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE portal_session ALTER COLUMN subject DROP NOT NULL');
    await queryRunner.query('ALTER TABLE portal_session ADD COLUMN login jsonb');
    await queryRunner.query(
      'ALTER TABLE portal_session ADD CONSTRAINT portal_session_check CHECK ((subject IS NULL) <> (login IS NULL))',
    );
  }
}
