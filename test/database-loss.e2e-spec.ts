import { Client } from 'pg';
import type { Agent } from 'undici';
import { agencyAgent, call } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { TcpProxy } from './support/tcp-proxy';
import { createTestDatabase, eventually, startTestGateway, type TestGateway } from './support/test-gateway';

/** Answers each load worker waits for while the database is cut before it stops sending. */
const ANSWERS_WHILE_CUT = 2;
const WORKERS = 4;

const ADDRESS = JSON.stringify({
  product: 'saaq.adresse',
  version: 1,
  purpose: 'mess.aide-sociale',
  citizen: citizenIdOf('mess', 'demo-citizen-1'),
});

interface Outcome {
  phase: 'before' | 'down' | 'after';
  status: number;
  code?: string;
  exchangeId?: string;
  /** Whether the database was still cut when the answer came. */
  answeredWhileCut: boolean;
}

describe('The database goes away during load, and comes back', () => {
  let proxy: TcpProxy;
  let gateway: TestGateway;
  let mess: Agent;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const direct = new URL(databaseUrl);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(databaseUrl);
    proxied.port = String(await proxy.start());
    gateway = await startTestGateway({ databaseUrl: proxied.toString() });
    mess = agencyAgent(gateway.certsDir, 'mess');
    const granted = await grantConsent(gateway.publicUrl, 'demo-citizen-1', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(granted.status).toBe(201);
  });

  afterAll(async () => {
    await mess.close();
    proxy.restore();
    await gateway.stop();
    await proxy.stop();
  });

  it('fails fast with 503, is not ready, sends no 200 without its outcome record, and recovers by itself', async () => {
    // Fail fast, shown without a clock: the database stays cut until every request sent while it is cut has been
    // answered. A request that waited for the database would never be answered while it is cut, so the wait below
    // would give up and fail the test; each answer also records that it came before the database was restored.
    let phase: Outcome['phase'] = 'before';
    let running = true;
    let cut = false;
    let parked = 0;
    let resume: () => void = () => undefined;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const outcomes: Outcome[] = [];
    const worker = async (): Promise<void> => {
      let answeredWhileDown = 0;
      while (running) {
        if (phase === 'down' && answeredWhileDown >= ANSWERS_WHILE_CUT) {
          // Stops sending, with nothing in flight, until the database is back.
          parked++;
          await resumed;
          continue;
        }
        const at = phase;
        const response = await call(mess, `${gateway.agencyUrl}/v1/exchanges`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: ADDRESS,
        });
        const body = response.body as { code?: string; exchangeId?: string } | undefined;
        outcomes.push({
          phase: at,
          status: response.status,
          code: body?.code,
          exchangeId: body?.exchangeId,
          answeredWhileCut: cut,
        });
        if (at === 'down') answeredWhileDown++;
      }
    };
    const load = Array.from({ length: WORKERS }, worker);

    // Under way before the cut: at least one exchange released (a loaded machine may take more than a moment).
    await eventually(
      () => outcomes.some((o) => o.phase === 'before' && o.status === 200),
      'an exchange to succeed before the cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    cut = true;
    phase = 'down';
    proxy.cut();
    await eventually(
      () => parked === WORKERS,
      'every request sent while the database is cut to be answered, as the database stays cut',
      30_000,
    );
    const ready = await fetch(`${gateway.publicUrl}/health/ready`);
    expect(ready.status).toBe(503);
    cut = false;
    proxy.restore();
    await eventually(async () => (await fetch(`${gateway.publicUrl}/health/ready`)).status === 200, 'readiness');
    phase = 'after';
    resume();
    await eventually(
      () => outcomes.some((o) => o.phase === 'after' && o.status === 200),
      'an exchange to succeed again',
    );
    running = false;
    await Promise.all(load);

    expect(outcomes.filter((o) => o.phase === 'before' && o.status === 200).length).toBeGreaterThan(0);
    const refused = outcomes.filter((o) => o.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect({ status: o.status, code: o.code }).toEqual({
        status: 503,
        code: expect.stringMatching(/^(database-unavailable|audit-unavailable)$/),
      });
    }
    // Fail fast: every request sent while the database was cut was refused before it came back.
    const whileDown = outcomes.filter((o) => o.phase === 'down');
    expect(whileDown.length).toBeGreaterThanOrEqual(WORKERS * ANSWERS_WHILE_CUT);
    expect(whileDown.filter((o) => !o.answeredWhileCut || o.status !== 503)).toEqual([]);

    // Every 200 an agency received has its outcome in the audit log.
    const released = outcomes.filter((o) => o.status === 200).map((o) => o.exchangeId);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string }>(
        `SELECT payload->'details'->>'exchangeId' AS id FROM audit_event
         WHERE kind = 'exchange.outcome' AND decision = 'allow' AND payload->'details'->>'exchangeId' = ANY($1)`,
        [released],
      );
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(released));
    } finally {
      await db.end();
    }
    expect(gateway.logs.some((line) => line.level >= 50 && line.msg === 'request failed')).toBe(false);
  });
});
