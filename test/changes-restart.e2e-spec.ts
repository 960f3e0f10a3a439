import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { testEnv } from './setup/test-env';
import { agencyAgent, call } from './support/agency-client';
import { sharedTestEnv } from './support/child-gateway-env';
import { citizenIdOf } from './support/citizen-ids';
import { startGateway, stopGateway, type Gateway } from './support/gateway-process';
import { createTestDatabase } from './support/test-gateway';

const CHANGES = 4_000;
const PRODUCT = 'saaq.adresse';

/**
 * A fan-out cut short by a crash (SIGKILL, mid-way through a nightly batch)
 * is taken up by the next start: every change is told once, none twice.
 */
describe('A fan-out interrupted by a crash resumes at the next start', () => {
  let databaseUrl: string;
  let db: Client;
  const gateways: Gateway[] = [];

  const start = async (name: string): Promise<Gateway> => {
    const gateway = await startGateway({
      databaseUrl,
      dir: mkdtempSync(join(testEnv('root'), `${name}-`)),
      // Small rounds, and no timer: the crash lands mid-way through the batch.
      env: { ...sharedTestEnv(), CHANGES_BATCH: '20', CHANGES_INTERVAL_MS: '3600000', LOG_LEVEL: 'error' },
    });
    gateways.push(gateway);
    return gateway;
  };
  const count = async (sql: string): Promise<number> => (await db.query<{ n: number }>(sql)).rows[0].n;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    for (const gateway of gateways) await stopGateway(gateway);
    await db?.end();
  });

  it('queues each notice exactly once across the crash and the restart', async () => {
    const first = await start('fan-out-a');
    // Every citizen keeps retraite-qc up to date; retraite-qc follows the address.
    await db.query(`
      WITH seed AS (SELECT gen_random_uuid() AS id, 'restart-citizen-' || n AS citizen FROM generate_series(1, ${CHANGES}) n),
      consents AS (
        INSERT INTO consent (id, citizen, requester, purpose, products, valid_from, valid_until, mode, status,
                             created_at, decided_at, receipt, keep_up_to_date)
        SELECT id, citizen, 'retraite-qc', 'retraite-qc.rente', '[{"product": "${PRODUCT}"}]'::jsonb,
               now() - interval '1 day', now() + interval '1 year', 'ongoing', 'active', now(), now(), 'test', true
        FROM seed RETURNING id, citizen)
      INSERT INTO consent_grant (consent_id, citizen, requester, purpose, product, valid_from, valid_until, keep_up_to_date)
      SELECT id, citizen, 'retraite-qc', 'retraite-qc.rente', '${PRODUCT}', now() - interval '1 day',
             now() + interval '1 year', true
      FROM consents`);
    await db.query(
      "INSERT INTO subscription (organisation, product, purpose) VALUES ('retraite-qc', $1, 'retraite-qc.rente')",
      [PRODUCT],
    );

    const saaq = agencyAgent(testEnv('certsDir'), 'saaq');
    const changedAt = new Date().toISOString();
    const changes = Array.from({ length: CHANGES }, (_, i) => ({
      product: PRODUCT,
      citizen: citizenIdOf('saaq', `restart-citizen-${i + 1}`),
      changedAt,
    }));
    const reported = await call(saaq, `https://localhost:${first.agencyPort}/v1/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ changes }),
    });
    await saaq.close();
    expect(reported.status).toBe(202);

    // Killed as a crash kills it, once some of the batch is out and some is not.
    let done = 0;
    while (done === 0) {
      done = await count('SELECT count(*)::int AS n FROM change_report WHERE fanned_out_at IS NOT NULL');
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const atCrash = await count('SELECT count(*)::int AS n FROM change_report WHERE fanned_out_at IS NOT NULL');
    expect(atCrash).toBeLessThan(CHANGES);

    // The next start takes up what is pending.
    await start('fan-out-b');
    const deadline = Date.now() + 60_000;
    while ((await count('SELECT count(*)::int AS n FROM change_report WHERE fanned_out_at IS NULL')) > 0) {
      if (Date.now() > deadline) throw new Error('the fan-out did not resume');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(await count("SELECT count(*)::int AS n FROM outbox_event WHERE type = 'product.changed'")).toBe(CHANGES);
    expect(
      await count(`SELECT count(*)::int AS n FROM (SELECT payload->>'changeId' FROM outbox_event
                   WHERE type = 'product.changed' GROUP BY 1 HAVING count(*) > 1) doubled`),
    ).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM change_report WHERE notified IS DISTINCT FROM 1')).toBe(0);
    // Every notice is audited at least once: a round cut short may have written its records before the crash.
    expect(
      await count(`SELECT count(DISTINCT payload->'details'->>'changeId')::int AS n FROM audit_event
                   WHERE kind = 'change.notified'`),
    ).toBe(CHANGES);
  }, 180_000);
});
