import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '../logins';

const COLUMNS = `seq, recorded_at, kind, organisation, citizen_pseudonym, product, purpose, decision, correlation_id,
  payload, prev_hash, record_hash, canonical`;
/** The table as it was before this migration, while its rows are copied. */
const BEFORE = 'audit_event_unpartitioned';

/**
 * The audit log partitioned by month of `recorded_at` (UTC), so that old
 * months can be exported, verified and detached (`audit retention`) instead
 * of the table growing for ever.
 *
 * Uniqueness of `seq`. A key of a partitioned table must hold the partition
 * key, so the table's key is (seq, recorded_at); each partition also has a
 * unique index on seq alone, made with it. Nothing in PostgreSQL can make seq
 * unique across partitions. It stays unique and gapless because one sequencer
 * numbers every record from the stored head under an advisory lock, because
 * the sequencer compares the stored head with the one it signed before each
 * batch, and because the verifier reads the chain in seq order: a second row
 * with a seq already used, in whatever month, is "records out of order".
 * `record_hash` was unique too; the hash covers the seq, so that index said
 * nothing the seq does not, and it is not made again.
 *
 * Partitions are made ahead of time by `audit_event_ensure_partitions()`
 * (this month and the next, by the database's clock): after the migrations
 * at each start, and every hour by the gateway, whose login may run that one
 * function (SECURITY DEFINER, owned by the owner) and create nothing else. A
 * DEFAULT partition takes any record whose month has no partition, so that
 * an append never fails for lack of one; the function counts its rows and the
 * gateway warns when there are any.
 *
 * The append-only triggers are row triggers on the parent, which PostgreSQL
 * clones onto every partition; TRUNCATE triggers are not cloned, so each
 * partition gets its own. The application's login keeps INSERT and SELECT on
 * the parent and has no right on any partition: it can neither read nor
 * write one directly, nor create, attach or detach one.
 *
 * `audit_retention` keeps the signed statement of each month taken out
 * (exported, verified, detached): the verifier starts the chain left in the
 * table from the hash the newest one vouches for.
 */
export class AuditPartitions1796428800000 implements MigrationInterface {
  name = 'AuditPartitions1796428800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A gateway of the previous version appending meanwhile waits, then writes into the new table.
    await queryRunner.query('LOCK TABLE audit_event IN ACCESS EXCLUSIVE MODE');
    await queryRunner.query(`ALTER TABLE audit_event RENAME TO ${BEFORE}`);
    for (const index of [
      'audit_event_pkey',
      'audit_event_record_hash_key',
      'audit_event_citizen',
      'audit_event_organisation',
    ]) {
      await queryRunner.query(`ALTER INDEX IF EXISTS ${index} RENAME TO ${index}_unpartitioned`);
    }
    await queryRunner.query(`
      CREATE TABLE audit_event (
        seq                bigint NOT NULL CHECK (seq >= 1),
        recorded_at        timestamptz NOT NULL,
        kind               text NOT NULL,
        organisation       text,
        citizen_pseudonym  text,
        product            text,
        purpose            text,
        decision           text,
        correlation_id     text,
        payload            jsonb NOT NULL,
        prev_hash          text NOT NULL,
        record_hash        text NOT NULL,
        canonical          text NOT NULL,
        PRIMARY KEY (seq, recorded_at)
      ) PARTITION BY RANGE (recorded_at)`);
    await queryRunner.query('CREATE INDEX audit_event_citizen ON audit_event (citizen_pseudonym, seq)');
    await queryRunner.query('CREATE INDEX audit_event_organisation ON audit_event (organisation, seq)');
    await queryRunner.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only()`);
    await queryRunner.query('REVOKE ALL ON audit_event FROM PUBLIC');
    await createRetentionTable(queryRunner);
    await copyGrants(queryRunner);

    await queryRunner.query('CREATE TABLE audit_event_default PARTITION OF audit_event DEFAULT');
    await queryRunner.query('CREATE UNIQUE INDEX audit_event_default_seq ON audit_event_default (seq)');
    await queryRunner.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event_default
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only()`);
    await createPartitionFunctions(queryRunner);

    // Every month the log already holds, then this one and the next; then the rows, in order.
    await queryRunner.query(`
      SELECT audit_event_create_partition(month)
      FROM (SELECT DISTINCT date_trunc('month', recorded_at AT TIME ZONE 'UTC')::date AS month FROM ${BEFORE}) months
      ORDER BY month`);
    await queryRunner.query('SELECT audit_event_ensure_partitions()');
    await queryRunner.query(`INSERT INTO audit_event (${COLUMNS}) SELECT ${COLUMNS} FROM ${BEFORE} ORDER BY seq`);
    await queryRunner.query(`DROP TABLE ${BEFORE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit_retention');
    await queryRunner.query('LOCK TABLE audit_event IN ACCESS EXCLUSIVE MODE');
    await queryRunner.query(`
      CREATE TABLE ${BEFORE} (
        seq                bigint PRIMARY KEY CHECK (seq >= 1),
        recorded_at        timestamptz NOT NULL,
        kind               text NOT NULL,
        organisation       text,
        citizen_pseudonym  text,
        product            text,
        purpose            text,
        decision           text,
        correlation_id     text,
        payload            jsonb NOT NULL,
        prev_hash          text NOT NULL,
        record_hash        text NOT NULL UNIQUE,
        canonical          text NOT NULL
      )`);
    await queryRunner.query(`INSERT INTO ${BEFORE} (${COLUMNS}) SELECT ${COLUMNS} FROM audit_event ORDER BY seq`);
    await queryRunner.query('DROP FUNCTION audit_event_ensure_partitions()');
    await queryRunner.query('DROP FUNCTION audit_event_create_partition(date)');
    // Renamed first: the old table takes back the grants and the index names of the partitioned one.
    await queryRunner.query('ALTER TABLE audit_event RENAME TO audit_event_partitioned');
    await queryRunner.query(`ALTER TABLE ${BEFORE} RENAME TO audit_event`);
    await copyGrants(queryRunner, 'audit_event_partitioned');
    await queryRunner.query('DROP TABLE audit_event_partitioned');
    await queryRunner.query(`ALTER INDEX ${BEFORE}_pkey RENAME TO audit_event_pkey`);
    await queryRunner.query(`ALTER INDEX ${BEFORE}_record_hash_key RENAME TO audit_event_record_hash_key`);
    await queryRunner.query('CREATE INDEX audit_event_citizen ON audit_event (citizen_pseudonym, seq)');
    await queryRunner.query('CREATE INDEX audit_event_organisation ON audit_event (organisation, seq)');
    await queryRunner.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only()`);
  }
}

/**
 * Grants on `audit_event` what was granted on `from`, to the same roles: the
 * application's INSERT and SELECT, the older appender role's, and any read
 * access an operator gave auditors' logins, who may then read the retention
 * statements too (a verifier needs them once old months are taken out).
 */
async function copyGrants(queryRunner: QueryRunner, from = BEFORE): Promise<void> {
  await queryRunner.query(`
    DO $$
    DECLARE item record;
    BEGIN
      FOR item IN
        SELECT a.privilege_type, a.is_grantable,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee
        FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE c.oid = 'public.${from}'::regclass AND a.grantee <> c.relowner
      LOOP
        EXECUTE format('GRANT %s ON public.audit_event TO %s%s', item.privilege_type, item.grantee,
                       CASE WHEN item.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        IF item.privilege_type = 'SELECT' AND to_regclass('public.audit_retention') IS NOT NULL THEN
          EXECUTE format('GRANT SELECT ON public.audit_retention TO %s', item.grantee);
        END IF;
      END LOOP;
    END $$`);
}

async function createPartitionFunctions(queryRunner: QueryRunner): Promise<void> {
  // The owner's alone (the retention command and this migration make past months with it).
  // Month bounds are UTC whatever the session's time zone, and written with their offset.
  await queryRunner.query(`
    CREATE FUNCTION audit_event_create_partition(month date) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      first_day date := date_trunc('month', month::timestamp)::date;
      next_day date := (date_trunc('month', month::timestamp) + interval '1 month')::date;
      name text := 'audit_event_' || to_char(first_day, 'YYYY_MM');
      low text := to_char(first_day, 'YYYY-MM-DD') || ' 00:00:00+00';
      high text := to_char(next_day, 'YYYY-MM-DD') || ' 00:00:00+00';
    BEGIN
      IF to_regclass('public.' || quote_ident(name)) IS NOT NULL THEN RETURN NULL; END IF;
      -- Nodes that run this at the same moment: one creates, the others find it made.
      PERFORM pg_advisory_xact_lock(7361025002);
      IF to_regclass('public.' || quote_ident(name)) IS NOT NULL THEN RETURN NULL; END IF;
      -- Records of that month already in the DEFAULT partition would make the creation fail: leave them be.
      IF EXISTS (SELECT 1 FROM public.audit_event_default
                 WHERE recorded_at >= low::timestamptz AND recorded_at < high::timestamptz) THEN
        RAISE WARNING 'audit_event_default holds records of %: partition % not created', to_char(first_day, 'YYYY-MM'), name;
        RETURN NULL;
      END IF;
      EXECUTE format('CREATE TABLE public.%I PARTITION OF public.audit_event FOR VALUES FROM (%L) TO (%L)',
                     name, low, high);
      EXECUTE format('CREATE UNIQUE INDEX %I ON public.%I (seq)', name || '_seq', name);
      EXECUTE format('CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON public.%I
                      FOR EACH STATEMENT EXECUTE FUNCTION public.audit_event_is_append_only()', name);
      RETURN name;
    END $$`);
  await queryRunner.query('REVOKE ALL ON FUNCTION audit_event_create_partition(date) FROM PUBLIC');
  // The gateway's: this month's and next month's partitions, and the DEFAULT partition's count; nothing it can steer.
  await queryRunner.query(`
    CREATE FUNCTION audit_event_ensure_partitions(OUT created text[], OUT default_records bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET lock_timeout = '2s' AS $$
    DECLARE this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    BEGIN
      created := array_remove(ARRAY[
        public.audit_event_create_partition(this_month),
        public.audit_event_create_partition((this_month + interval '1 month')::date)
      ], NULL);
      SELECT count(*) INTO default_records FROM public.audit_event_default;
    END $$`);
  await queryRunner.query('REVOKE ALL ON FUNCTION audit_event_ensure_partitions() FROM PUBLIC');
  await queryRunner.query(`GRANT EXECUTE ON FUNCTION audit_event_ensure_partitions() TO ${APPLICATION_ROLE}`);
}

/**
 * The signed statements of the months `audit retention` took out, one per
 * month, for every node and verifier to find: the chain left in the table
 * starts from the hash the newest one vouches for. Written by the owner
 * only; signed by the gateway key, so a row is only as good as its
 * signature, and a row removed leaves records missing to the verifier.
 */
async function createRetentionTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE audit_retention (
      seq          bigint PRIMARY KEY CHECK (seq >= 1),
      partition    text NOT NULL CHECK (char_length(partition) BETWEEN 1 AND 63),
      jws          text NOT NULL CHECK (char_length(jws) <= 4000),
      recorded_at  timestamptz NOT NULL DEFAULT now()
    )`);
  await queryRunner.query(`
    CREATE TRIGGER audit_retention_append_only BEFORE UPDATE OR DELETE ON audit_retention
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()`);
  await queryRunner.query(`
    CREATE TRIGGER audit_retention_no_truncate BEFORE TRUNCATE ON audit_retention
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only()`);
  await queryRunner.query('REVOKE ALL ON audit_retention FROM PUBLIC');
  await queryRunner.query(`GRANT SELECT ON audit_retention TO ${APPLICATION_ROLE}`);
}
