import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The portal greets a citizen by the name the IdP gave at sign-in, kept with the session and gone with it. */
export class PortalSessionName1796342400000 implements MigrationInterface {
  name = 'PortalSessionName1796342400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE portal_session ADD COLUMN display_name text CHECK (char_length(display_name) <= 200)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE portal_session DROP COLUMN display_name');
  }
}
