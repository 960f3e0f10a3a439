import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CitizenLink1795478400000 implements MigrationInterface {
  name = 'CitizenLink1795478400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Each source knows a citizen by its own identifier (a dossier number, a
    // licence number, a health-insurance number). The pivot id never leaves
    // the gateway; an adapter only ever sends the source its own local id.
    await queryRunner.query(`
      CREATE TABLE citizen_link (
        pivot_id    text NOT NULL CHECK (length(pivot_id) BETWEEN 1 AND 128),
        source      text NOT NULL REFERENCES organisation (id),
        local_id    text NOT NULL CHECK (length(local_id) BETWEEN 1 AND 128),
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (pivot_id, source),
        UNIQUE (source, local_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE citizen_link');
  }
}
