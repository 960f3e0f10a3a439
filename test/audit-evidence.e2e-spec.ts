import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { canonicalOf, hashCanonical, type AuditPayload } from '../src/audit/audit-chain';
import { AuditLog } from '../src/audit/audit-log';
import { verifyAuditLog, type AuditRow, type VerifyReport } from '../src/audit/audit-verify';
import { DomainError } from '../src/platform/errors/domain-error';
import { Metrics } from '../src/platform/metrics/metrics';
import { loadSigningKey } from '../src/platform/signing/signing-key';
import { ownerUrlOf, testEnv } from './setup/test-env';
import { agencyAgent, call } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { createTestDatabase, startTestGateway, type TestGateway } from './support/test-gateway';

const BATCH = 6;

/** Every statement that would let the gateway's own login rewrite the log, and what PostgreSQL answers. */
const FORBIDDEN = [
  'SET session_replication_role = replica',
  'ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only',
  'ALTER TABLE audit_event DISABLE TRIGGER ALL',
  'ALTER TABLE audit_event ADD COLUMN note text',
  'TRUNCATE audit_event',
  "UPDATE audit_event SET decision = 'allow' WHERE seq = 1",
  'DELETE FROM audit_event WHERE seq = 1',
  'DROP TABLE audit_event',
  'CREATE TRIGGER t BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()',
];

describe('Audit evidence that holds against the operator', () => {
  describe("the application's database login", () => {
    let app: Client;

    beforeAll(async () => {
      app = new Client({ connectionString: await createTestDatabase() });
      await app.connect();
    });

    afterAll(() => app.end());

    it.each(FORBIDDEN)('may not: %s', async (statement) => {
      await expect(app.query(statement)).rejects.toThrow(/permission denied|must be owner|must be superuser/);
    });

    it('may append to the log and read it, and nothing more', async () => {
      const { rows } = await app.query<{ superuser: boolean }>(
        'SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
      );
      expect(rows[0].superuser).toBe(false);
      await app.query('BEGIN');
      try {
        await app.query(
          `INSERT INTO audit_event (seq, recorded_at, kind, payload, prev_hash, record_hash, canonical)
           VALUES (1, now(), 'probe', '{}', 'a', 'b', '{}')`,
        );
        expect((await app.query('SELECT count(*)::int AS n FROM audit_event')).rows[0]).toEqual({ n: 1 });
      } finally {
        await app.query('ROLLBACK');
      }
    });

    it('a gateway refuses to start as the owner or as a superuser, naming what the login could do', async () => {
      const database = await createTestDatabase();
      await expect(startTestGateway({ databaseUrl: ownerUrlOf(database) })).rejects.toThrow(
        /login "passerelle_owner" owns audit_event .*could rewrite the audit log/,
      );
      const superuser = new URL(testEnv('adminUrl'));
      superuser.pathname = new URL(database).pathname;
      await expect(startTestGateway({ databaseUrl: superuser.toString() })).rejects.toThrow(/is a superuser/);
    });
  });

  describe('the head of the chain, newer than any checkpoint', () => {
    let gateway: TestGateway;
    let owner: Client;
    let audit: AuditLog;
    let checkpointDir: string;
    let keys: { keys: [Awaited<ReturnType<typeof loadSigningKey>>['publicJwk']] };

    const verify = (): Promise<VerifyReport> =>
      verifyAuditLog(async (text, values) => (await owner.query<AuditRow>(text, values)).rows, checkpointDir, keys, {
        signedHeadWaitMs: 0,
      });
    const batch = (): Promise<number[]> =>
      Promise.all(
        Array.from({ length: BATCH }, (_, i) =>
          audit.append({ kind: 'exchange.outcome', organisation: 'afe', decision: 'deny', reason: `probe-${i}` }),
        ),
      );
    const ready = async (): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(`${gateway.publicUrl}/health/ready`);
      return { status: response.status, body: await response.json() };
    };
    const alarmGauge = async (): Promise<number | undefined> => {
      const metric = await gateway.gateway.app
        .get(Metrics)
        .registry.getSingleMetric('passerelle_audit_head_alarm')
        ?.get();
      return metric?.values[0]?.value;
    };
    /** As the owner, with the append-only trigger off: what an operator who turns on the log can do. */
    const asOperator = async (sql: (client: Client) => Promise<unknown>): Promise<void> => {
      await owner.query('BEGIN');
      await owner.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only');
      await sql(owner);
      await owner.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only');
      await owner.query('COMMIT');
    };
    const newest = async (): Promise<Record<string, unknown>> =>
      (await owner.query('SELECT * FROM audit_event ORDER BY seq DESC LIMIT 1')).rows[0] as Record<string, unknown>;
    const restore = (row: Record<string, unknown>): Promise<void> =>
      asOperator(async (c) => {
        await c.query('DELETE FROM audit_event WHERE seq >= $1', [row.seq]);
        await c.query(`INSERT INTO audit_event SELECT * FROM json_populate_record(NULL::audit_event, $1::json)`, [
          JSON.stringify(row),
        ]);
      });

    /** After a change made between two batches: the next append stops, the gateway says so, the verifier too. */
    const expectDetected = async (verifierReason: RegExp): Promise<void> => {
      await expect(batch()).rejects.toThrow(DomainError);
      await expect(audit.append({ kind: 'probe' })).rejects.toMatchObject({ code: 'audit-unavailable' });
      expect(audit.alarmReason).toBeDefined();
      expect(await ready()).toMatchObject({ status: 503, body: { code: 'not-ready', checks: { audit: 'down' } } });
      expect(await alarmGauge()).toBe(1);
      expect(gateway.logs.some((line) => line.event === 'audit-head-mismatch' && line.alarm === true)).toBe(true);
      const report = await verify();
      expect(report.outcome).toBe('broken');
      expect(report.failure?.reason).toMatch(verifierReason);
    };

    beforeAll(async () => {
      checkpointDir = join(testEnv('root'), `evidence-${randomBytes(4).toString('hex')}`);
      gateway = await startTestGateway({
        env: {
          AUDIT_CHECKPOINT_DIR: checkpointDir,
          // No checkpoint covers the newest records: only the per-batch signature does.
          AUDIT_CHECKPOINT_EVERY: '1000000',
          AUDIT_CHECKPOINT_INTERVAL_MS: '86400000',
        },
      });
      keys = { keys: [(await loadSigningKey(join(testEnv('certsDir'), 'signing-key.pem'))).publicJwk] };
      audit = gateway.gateway.app.get(AuditLog);
      owner = new Client({ connectionString: ownerUrlOf(gateway.databaseUrl) });
      await owner.connect();
    });

    afterAll(async () => {
      await owner.end();
      await gateway.stop();
    });

    beforeEach(async () => {
      // Each case starts from an intact log whose head is signed.
      await batch();
      expect(audit.alarmReason).toBeUndefined();
      expect((await verify()).outcome).toBe('intact');
    });

    it('detects the newest record changed from deny to allow with its hash recomputed', async () => {
      const original = await newest();
      const payload = { ...(original.payload as AuditPayload), decision: 'allow' };
      delete payload.reason;
      const canonical = canonicalOf(payload);
      await asOperator((c) =>
        c.query(
          `UPDATE audit_event SET payload = $2::jsonb, canonical = $3, decision = 'allow', record_hash = $4 WHERE seq = $1`,
          [
            original.seq,
            canonical,
            canonical,
            hashCanonical(String(original.prev_hash), Number(original.seq), canonical),
          ],
        ),
      );
      await expectDetected(/differs from the signed head/);
      await restore(original);
      // Restored, the stored head is again the one signed: appends resume, and the gateway is ready.
      await expect(batch()).resolves.toHaveLength(BATCH);
      expect(audit.alarmReason).toBeUndefined();
      expect((await ready()).status).toBe(200);
      expect(await alarmGauge()).toBe(0);
    });

    it('detects the newest record deleted', async () => {
      const original = await newest();
      await asOperator((c) => c.query('DELETE FROM audit_event WHERE seq = $1', [original.seq]));
      await expectDetected(/truncated: the signed head vouches for seq/);
      await restore(original);
      await expect(batch()).resolves.toHaveLength(BATCH);
    });

    it('detects the newest batch truncated', async () => {
      const { rows } = await owner.query<Record<string, unknown>>(
        'SELECT * FROM audit_event ORDER BY seq DESC LIMIT $1',
        [BATCH],
      );
      await asOperator((c) => c.query('DELETE FROM audit_event WHERE seq > $1', [Number(rows[0].seq) - BATCH]));
      await expectDetected(/truncated: the signed head vouches for seq/);
      await asOperator(async (c) => {
        for (const row of [...rows].reverse()) {
          await c.query(`INSERT INTO audit_event SELECT * FROM json_populate_record(NULL::audit_event, $1::json)`, [
            JSON.stringify(row),
          ]);
        }
      });
      await expect(batch()).resolves.toHaveLength(BATCH);
    });

    it('detects a record appended by someone else, and an exchange then releases nothing', async () => {
      const original = await newest();
      await asOperator((c) =>
        c.query(
          `INSERT INTO audit_event (seq, recorded_at, kind, payload, prev_hash, record_hash, canonical)
           SELECT seq + 1, now(), 'forged', '{}', record_hash, 'f', '{}' FROM audit_event WHERE seq = $1`,
          [original.seq],
        ),
      );
      // Whether or not the grant could be recorded, the exchange that follows cannot be.
      await grantConsent(gateway.publicUrl, 'demo-citizen-2', {
        requester: 'mess',
        purpose: 'mess.aide-sociale',
        products: ['saaq.adresse'],
      });
      const response = await call(agencyAgent(testEnv('certsDir'), 'mess'), `${gateway.agencyUrl}/v1/exchanges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          product: 'saaq.adresse',
          version: 1,
          purpose: 'mess.aide-sociale',
          citizen: citizenIdOf('mess', 'demo-citizen-2'),
        }),
      });
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ code: 'audit-unavailable' });
      expect(response.text).not.toContain('demo-citizen-2');
      expect(response.text).not.toContain(citizenIdOf('mess', 'demo-citizen-2'));
      await expectDetected(/./);
      await asOperator((c) => c.query('DELETE FROM audit_event WHERE seq > $1', [original.seq]));
      await expect(batch()).resolves.toHaveLength(BATCH);
    });
  });
});
