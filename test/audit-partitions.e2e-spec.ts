import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { chainRecord, GENESIS_HASH } from '../src/audit/audit-chain';
import { verifyExport } from '../src/audit/audit-jsonl';
import { AuditLog } from '../src/audit/audit-log';
import { assertAppendOnlyLogin, auditTamperPowers, readAuditPrivileges } from '../src/audit/audit-privileges';
import { verifyAuditLog, type AuditRow, type VerifyOptions, type VerifyReport } from '../src/audit/audit-verify';
import { PartitionUpkeep } from '../src/audit/partition-upkeep';
import { addMonths, partitionName } from '../src/audit/retention-plan';
import { dataSourceOptions, MIGRATIONS } from '../src/platform/database/data-source-options';
import { provisionLogins } from '../src/platform/database/logins';
import { migrateAsOwner } from '../src/platform/database/migrate';
import { Metrics } from '../src/platform/metrics/metrics';
import { loadSigningKey } from '../src/platform/signing/signing-key';
import { ownerUrlOf, testEnv } from './setup/test-env';
import { appendAt, createMonthPartition, linesOf, midMonth, monthsAgo, partitionsOf } from './support/audit-months';
import { bearer, citizenToken } from './support/citizen-tokens';
import { createTestDatabase, startTestGateway, type TestGateway } from './support/test-gateway';

const THIS_MONTH = monthsAgo(0);
const NEXT_MONTH = addMonths(THIS_MONTH, 1);
const EARLIER = monthsAgo(3);
const LATER = monthsAgo(2);
/** A month with no partition: its records go to the DEFAULT partition. */
const FORGOTTEN = monthsAgo(6);

describe('The audit log partitioned by month', () => {
  it('the migration copies every record into the partition of its month, with its grants, and the chain holds', async () => {
    const database = `${testEnv('databasePrefix')}${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: testEnv('adminUrl') });
    await admin.connect();
    const auditor = `passerelle_auditor_${randomBytes(3).toString('hex')}`;
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
      await admin.query(`CREATE ROLE ${auditor} LOGIN PASSWORD 'auditor-test'`);
    } finally {
      await admin.end();
    }
    const { ownerUrl } = await provisionLogins(testEnv('adminUrl'), database);
    // The schema as it was before partitions, with a log of 60 records over three months and an auditor's grant.
    const before = MIGRATIONS.slice(
      0,
      MIGRATIONS.findIndex((m) => m.name === 'AuditPartitions1796428800000'),
    );
    let prev = { seq: 0, hash: GENESIS_HASH };
    const old = new DataSource({
      ...dataSourceOptions({ url: ownerUrl, poolMax: 1, statementTimeoutMs: 60_000 }),
      migrations: before,
    });
    await old.initialize();
    try {
      await old.runMigrations({ transaction: 'each' });
      for (let i = 0; i < 60; i++) {
        const record = chainRecord(
          prev,
          { kind: 'probe', decision: 'allow' },
          midMonth(monthsAgo(5 - Math.floor(i / 20))),
          Buffer.alloc(32),
        );
        await old.query(
          `INSERT INTO audit_event (seq, recorded_at, kind, decision, payload, prev_hash, record_hash, canonical)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            record.seq,
            record.payload.recordedAt,
            'probe',
            'allow',
            record.canonical,
            record.prevHash,
            record.recordHash,
            record.canonical,
          ],
        );
        prev = { seq: record.seq, hash: record.recordHash };
      }
      await old.query(`GRANT SELECT ON audit_event TO ${auditor}`);
    } finally {
      await old.destroy();
    }

    await migrateAsOwner(ownerUrl);

    const owner = new Client({ connectionString: ownerUrl });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ partition: string; records: number; first: string; last: string }>(
        `SELECT tableoid::regclass::text AS partition, count(*)::int AS records, min(seq) AS first, max(seq) AS last
         FROM audit_event GROUP BY 1 ORDER BY min(seq)`,
      );
      expect(rows).toEqual([
        { partition: partitionName(monthsAgo(5)), records: 20, first: '1', last: '20' },
        { partition: partitionName(monthsAgo(4)), records: 20, first: '21', last: '40' },
        { partition: partitionName(monthsAgo(3)), records: 20, first: '41', last: '60' },
      ]);
      const grants = await owner.query<{ event: boolean; retention: boolean; update: boolean }>(
        `SELECT has_table_privilege($1, 'audit_event', 'SELECT') AS event,
                has_table_privilege($1, 'audit_retention', 'SELECT') AS retention,
                has_table_privilege($1, 'audit_event', 'UPDATE') AS update`,
        [auditor],
      );
      expect(grants.rows[0]).toEqual({ event: true, retention: true, update: false });
      const report = await verifyAuditLog(
        async (text, values) => (await owner.query<Record<string, unknown>>(text, values)).rows,
        undefined,
        {
          keys: [],
        },
      );
      // Nothing signed this hand-made log: no failure, every record read, and nothing to cover its head.
      expect(report).toMatchObject({ verified: 60, head: prev });
      expect(report.failure).toBeUndefined();
    } finally {
      await owner.end();
    }
  });

  describe('a gateway appending across months', () => {
    let gateway: TestGateway;
    let owner: Client;
    let app: Client;
    let audit: AuditLog;
    let publicJwk: Awaited<ReturnType<typeof loadSigningKey>>['publicJwk'];
    const checkpointDir = join(testEnv('root'), `partition-checkpoints-${randomBytes(4).toString('hex')}`);
    const seqs: Record<string, number[]> = {};

    const verify = (options?: VerifyOptions): Promise<VerifyReport> =>
      verifyAuditLog(
        async (text, values) => (await owner.query<AuditRow>(text, values)).rows,
        checkpointDir,
        { keys: [publicJwk] },
        options,
      );

    beforeAll(async () => {
      const databaseUrl = await createTestDatabase();
      owner = new Client({ connectionString: ownerUrlOf(databaseUrl) });
      await owner.connect();
      app = new Client({ connectionString: databaseUrl });
      await app.connect();
      await createMonthPartition(owner, EARLIER);
      await createMonthPartition(owner, LATER);
      gateway = await startTestGateway({
        databaseUrl,
        env: { AUDIT_CHECKPOINT_DIR: checkpointDir, AUDIT_CHECKPOINT_EVERY: '5' },
      });
      publicJwk = (await loadSigningKey(join(testEnv('certsDir'), 'signing-key.pem'))).publicJwk;
      audit = gateway.gateway.app.get(AuditLog);
      seqs.earlier = await appendAt(audit, midMonth(EARLIER), 6);
      // The last instant of one month and the first of the next: the boundary itself.
      const boundary = Date.parse(`${LATER}-01T00:00:00.000Z`);
      seqs.lastInstant = await appendAt(audit, new Date(boundary - 1), 1);
      seqs.firstInstant = await appendAt(audit, new Date(boundary), 1);
      seqs.later = await appendAt(audit, midMonth(LATER), 6);
      seqs.forgotten = await appendAt(audit, midMonth(FORGOTTEN), 1);
      seqs.now = await Promise.all(
        Array.from({ length: 4 }, (_, i) => audit.append({ kind: 'probe', correlationId: `now-${i}` })),
      );
    });

    afterAll(async () => {
      await gateway.stop();
      await owner.end();
      await app.end();
    });

    it('is one table partitioned by the month of recorded_at, with this month, the next and a DEFAULT partition', async () => {
      const { rows } = await owner.query<{ strategy: string; key: string }>(
        `SELECT p.partstrat AS strategy, pg_get_partkeydef(p.partrelid) AS key
         FROM pg_partitioned_table p WHERE p.partrelid = 'audit_event'::regclass`,
      );
      expect(rows).toEqual([{ strategy: 'r', key: 'RANGE (recorded_at)' }]);
      // Bounds are printed in the session's time zone.
      await owner.query(`SET TIME ZONE 'UTC'`);
      const partitions = await owner.query<{ name: string; bound: string }>(
        `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_event'::regclass`,
      );
      const bounds = new Map(partitions.rows.map((p) => [p.name, p.bound]));
      expect(bounds.get('audit_event_default')).toBe('DEFAULT');
      expect(bounds.get(partitionName(THIS_MONTH))).toBe(
        `FOR VALUES FROM ('${THIS_MONTH}-01 00:00:00+00') TO ('${NEXT_MONTH}-01 00:00:00+00')`,
      );
      expect(bounds.has(partitionName(NEXT_MONTH))).toBe(true);
    });

    it('puts each record in the partition of its month, in one chain that verifies whole across the boundaries', async () => {
      const where = await partitionsOf(owner);
      for (const seq of seqs.earlier) expect(where.get(seq)).toBe(partitionName(EARLIER));
      expect(where.get(seqs.lastInstant[0])).toBe(partitionName(EARLIER));
      expect(where.get(seqs.firstInstant[0])).toBe(partitionName(LATER));
      for (const seq of seqs.later) expect(where.get(seq)).toBe(partitionName(LATER));
      expect(where.get(seqs.forgotten[0])).toBe('audit_event_default');
      for (const seq of seqs.now) expect(where.get(seq)).toBe(partitionName(THIS_MONTH));
      const total = where.size;
      expect([...where.keys()]).toEqual(Array.from({ length: total }, (_, i) => i + 1));

      const whole = await verify();
      expect(whole).toMatchObject({ ok: true, outcome: 'intact', verified: total, retained: null });
      // Read in segments whose bounds fall inside months: the same chain.
      expect(await verify({ page: 3, segments: 3 })).toMatchObject({ ok: true, verified: total, head: whole.head });
    });

    it('exports the chain across the months as JSON lines that verify-export checks with no database', async () => {
      const response = await fetch(`${gateway.publicUrl}/v1/audit/events/export?format=jsonl`, {
        headers: bearer(await citizenToken('demo-officer', ['privacy-officer'])),
      });
      expect(response.status).toBe(200);
      const lines = (await response.text()).trim().split('\n');
      expect(JSON.parse(lines[0])).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
      const report = await verifyExport(linesOf(lines), { keys: [publicJwk] }, []);
      expect(report).toMatchObject({ outcome: 'intact', from: 1, verified: lines.length - 1 });
    });

    it('warns of records in the DEFAULT partition, whose month can no longer get a partition', async () => {
      const upkeep = gateway.gateway.app.get(PartitionUpkeep);
      await expect(upkeep.run()).resolves.toEqual({ created: [], defaultRecords: 1 });
      expect(gateway.logs.some((line) => line.event === 'audit-default-partition-records' && line.records === 1)).toBe(
        true,
      );
      const gauge = await gateway.gateway.app
        .get(Metrics)
        .registry.getSingleMetric('passerelle_audit_default_partition_records')
        ?.get();
      expect(gauge?.values[0]?.value).toBe(1);
      const made = await owner.query<{ made: string | null }>('SELECT audit_event_create_partition($1::date) AS made', [
        `${FORGOTTEN}-01`,
      ]);
      expect(made.rows[0].made).toBeNull();
    });

    it('makes a missing partition for next month at its next pass', async () => {
      await owner.query(`DROP TABLE ${partitionName(NEXT_MONTH)}`);
      await expect(gateway.gateway.app.get(PartitionUpkeep).run()).resolves.toMatchObject({
        created: [partitionName(NEXT_MONTH)],
      });
      expect(
        gateway.logs.some(
          (line) => line.event === 'audit-partition-created' && line.partition === partitionName(NEXT_MONTH),
        ),
      ).toBe(true);
    });

    it('refuses UPDATE, DELETE and TRUNCATE on every partition, even to the owner going to one directly', async () => {
      for (const table of [partitionName(EARLIER), partitionName(THIS_MONTH), 'audit_event_default', 'audit_event']) {
        await expect(owner.query(`UPDATE ${table} SET decision = 'deny'`)).rejects.toThrow(/append-only/);
        await expect(owner.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
        await expect(owner.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
      }
      // An empty partition too: TRUNCATE is refused before it looks at any row.
      await expect(owner.query(`TRUNCATE ${partitionName(NEXT_MONTH)}`)).rejects.toThrow(/append-only/);
    });

    it.each([
      `SELECT count(*) FROM ${partitionName(EARLIER)}`,
      `INSERT INTO audit_event_default (seq, recorded_at, kind, payload, prev_hash, record_hash, canonical)
       VALUES (999, now(), 'probe', '{}', 'a', 'b', '{}')`,
      `UPDATE ${partitionName(EARLIER)} SET decision = 'deny'`,
      `DELETE FROM ${partitionName(EARLIER)}`,
      `TRUNCATE ${partitionName(EARLIER)}`,
      `TRUNCATE audit_event_default`,
      `ALTER TABLE audit_event DETACH PARTITION ${partitionName(EARLIER)}`,
      `ALTER TABLE ${partitionName(EARLIER)} DISABLE TRIGGER ALL`,
      `CREATE TABLE audit_event_2000_01 PARTITION OF audit_event FOR VALUES FROM ('2000-01-01') TO ('2000-02-01')`,
      `SELECT audit_event_create_partition('2000-01-01')`,
      `DROP TABLE ${partitionName(EARLIER)}`,
    ])("the application's login may not: %s", async (statement) => {
      await expect(app.query(statement)).rejects.toThrow(/permission denied|must be owner/);
    });

    it("the application's login keeps INSERT and SELECT on the log, and may only ask for this month's partitions", async () => {
      const facts = await readAuditPrivileges(async (text) => (await app.query<Record<string, unknown>>(text)).rows);
      expect(auditTamperPowers(facts)).toEqual([]);
      await expect(app.query('SELECT * FROM audit_event_ensure_partitions()')).resolves.toMatchObject({
        rows: [{ created: [], default_records: '1' }],
      });
    });

    it('a right on one partition is a right over the log: the gateway would refuse to start with it', async () => {
      await owner.query(`GRANT UPDATE ON ${partitionName(LATER)} TO passerelle_application`);
      try {
        await expect(
          assertAppendOnlyLogin(async (text) => (await app.query<Record<string, unknown>>(text)).rows),
        ).rejects.toThrow(/may UPDATE audit_event/);
      } finally {
        await owner.query(`REVOKE UPDATE ON ${partitionName(LATER)} FROM passerelle_application`);
      }
      await expect(
        assertAppendOnlyLogin(async (text) => (await app.query<Record<string, unknown>>(text)).rows),
      ).resolves.toBeUndefined();
    });
  });
});
