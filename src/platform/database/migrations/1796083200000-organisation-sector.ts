import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each organisation belongs to a sector of government, and names citizens by
 * that sector's identifiers (`sector`), or, while it migrates, by pivot id
 * (`pivot`). An organisation registered before sectors existed is a sector of
 * its own: it can be matched with nobody until an operator says otherwise.
 */
export class OrganisationSector1796083200000 implements MigrationInterface {
  name = 'OrganisationSector1796083200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE organisation ADD COLUMN sector text');
    await queryRunner.query('UPDATE organisation SET sector = id');
    await queryRunner.query(`
      ALTER TABLE organisation
        ALTER COLUMN sector SET NOT NULL,
        ADD CONSTRAINT organisation_sector_shape CHECK (sector ~ '^[a-z][a-z0-9-]{0,39}$'),
        ADD COLUMN identifiers text NOT NULL DEFAULT 'sector'
          CONSTRAINT organisation_identifiers_kind CHECK (identifiers IN ('sector', 'pivot'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE organisation DROP COLUMN identifiers, DROP COLUMN sector');
  }
}
