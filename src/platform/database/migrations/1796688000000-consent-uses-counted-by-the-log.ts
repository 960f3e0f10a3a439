import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An ongoing consent's uses are counted by the statement that commits their
 * outcome records: each allowed exchange outcome that names an ongoing
 * consent adds one to its `consent_use` row, in the audit batch's own
 * transaction. A use is counted exactly when its record is committed, and the
 * count is written by one audit batch at a time (the batches are serialized
 * already), not by every shared claim transaction, which queued on the row of
 * a consent in heavy use. A one-time consent is still counted in the
 * transaction that uses it up (ConsentClaimRepository), so it is left out here.
 * A consent id that is not a UUID counts nothing (the CASE casts only what is
 * one, whatever order the plan takes), rather than failing the batch.
 */
export class ConsentUsesCountedByTheLog1796688000000 implements MigrationInterface {
  name = 'ConsentUsesCountedByTheLog1796688000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION audit_event_counts_consent_uses() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO consent_use (consent_id, use_count, last_used_at)
        SELECT c.id, count(*), max(a.recorded_at)
        FROM appended a
        JOIN consent c ON c.mode = 'ongoing' AND c.id = CASE
          WHEN a.payload->'details'->>'consentId' ~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$'
          THEN (a.payload->'details'->>'consentId')::uuid END
        WHERE a.kind = 'exchange.outcome' AND a.decision = 'allow'
        GROUP BY c.id ORDER BY c.id
        ON CONFLICT (consent_id) DO UPDATE SET use_count = consent_use.use_count + EXCLUDED.use_count,
          last_used_at = GREATEST(consent_use.last_used_at, EXCLUDED.last_used_at);
        RETURN NULL;
      END $$`);
    // On the partitioned table: a statement's new rows, in whichever partitions they went, are seen together.
    await queryRunner.query(`
      CREATE TRIGGER audit_event_counts_consent_uses AFTER INSERT ON audit_event
      REFERENCING NEW TABLE AS appended
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_counts_consent_uses()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER audit_event_counts_consent_uses ON audit_event');
    await queryRunner.query('DROP FUNCTION audit_event_counts_consent_uses()');
  }
}
