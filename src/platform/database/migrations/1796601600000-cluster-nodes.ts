import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '../logins';

/**
 * The gateway nodes of a deployment: each node writes its row at start,
 * touches it every heartbeat and deletes it at a clean shutdown. A node is
 * live while its row was seen lately; the live count divides each
 * organisation's rate limit among the nodes. Nothing here is evidence: the
 * application login may change every row.
 */
export class ClusterNodes1796601600000 implements MigrationInterface {
  name = 'ClusterNodes1796601600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway_node (
        id          uuid PRIMARY KEY,
        started_at  timestamptz NOT NULL DEFAULT now(),
        last_seen   timestamptz NOT NULL DEFAULT now(),
        host        text NOT NULL CHECK (char_length(host) BETWEEN 1 AND 255)
      )`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON gateway_node TO ${APPLICATION_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE gateway_node');
  }
}
