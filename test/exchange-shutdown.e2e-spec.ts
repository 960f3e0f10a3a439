import { Client } from 'pg';
import { agencyAgent, call } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { eventually, startTestGateway } from './support/test-gateway';

const ADDRESS = {
  product: 'saaq.adresse',
  version: 1,
  purpose: 'mess.aide-sociale',
  citizen: citizenIdOf('mess', 'demo-citizen-2'),
};

describe('Shutdown under load', () => {
  it('drains in-flight exchanges, and every 200 a client received has its audit outcome', async () => {
    const gateway = await startTestGateway({ env: { SHUTDOWN_DRAIN_TIMEOUT_MS: '2000' } });
    const granted = await grantConsent(gateway.publicUrl, 'demo-citizen-2', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(granted.status).toBe(201);

    const mess = agencyAgent(gateway.certsDir, 'mess');
    const served: string[] = [];
    let failed = 0;
    let stopping = false;
    const worker = async (): Promise<void> => {
      while (!stopping || failed === 0) {
        try {
          const response = await call(mess, `${gateway.agencyUrl}/v1/exchanges`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(ADDRESS),
          });
          if (response.status === 200) served.push(response.headers['x-correlation-id'] as string);
          else if (stopping) return;
        } catch {
          failed++;
          return;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    // Under way by what it has served, not by a pause that a busy machine may spend on far fewer exchanges.
    await eventually(() => served.length > 8, 'the load to be served before the stop', 30_000);
    stopping = true;
    await gateway.stop();
    await load;
    await mess.close();

    expect(served.length).toBeGreaterThan(8);
    const db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ correlation_id: string }>(
        "SELECT correlation_id FROM audit_event WHERE kind = 'exchange.outcome' AND decision = 'allow' AND correlation_id = ANY($1)",
        [served],
      );
      expect(new Set(rows.map((r) => r.correlation_id))).toEqual(new Set(served));
    } finally {
      await db.end();
    }
  });
});

describe('Keep-alive during shutdown', () => {
  it('answers on open connections while the load balancer catches up, closing each one after its answer', async () => {
    const gateway = await startTestGateway({ env: { SHUTDOWN_GRACE_MS: '1500' } });
    const mess = agencyAgent(gateway.certsDir, 'mess');
    try {
      const before = await call(mess, `${gateway.agencyUrl}/v1/whoami`);
      expect(before.status).toBe(200);
      expect(before.headers.connection).not.toBe('close');

      const stopped = gateway.stop();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const ready = await fetch(`${gateway.publicUrl}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('connection')).toBe('close');
      const during = await call(mess, `${gateway.agencyUrl}/v1/whoami`);
      expect(during.status).toBe(200);
      expect(during.body).toMatchObject({ organisation: 'mess' });
      expect(during.headers.connection).toBe('close');
      await stopped;
    } finally {
      await mess.close();
    }
  });
});
