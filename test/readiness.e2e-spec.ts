import type { Agent } from 'undici';
import { DataSource } from 'typeorm';
import { agencyAgent, call } from './support/agency-client';
import { TcpProxy } from './support/tcp-proxy';
import { createTestDatabase, eventually, startTestGateway, type TestGateway } from './support/test-gateway';

describe('readiness follows the database, and nothing is served without it', () => {
  let t: TestGateway;
  let proxy: TcpProxy;
  let afe: Agent;

  beforeAll(async () => {
    const direct = new URL(await createTestDatabase());
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    direct.hostname = '127.0.0.1';
    direct.port = String(await proxy.start());
    t = await startTestGateway({ databaseUrl: direct.toString() });
    afe = agencyAgent(t.certsDir, 'afe');
  });

  afterAll(async () => {
    await afe.close();
    proxy.restore();
    await t.stop();
    await proxy.stop();
  });

  const readiness = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${t.publicUrl}/health/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('is ready, then not ready while the database is down, then ready again', async () => {
    expect((await readiness()).status).toBe(200);

    proxy.cut();
    const down = await readiness();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'not-ready', checks: { database: 'down' } });

    // Fail closed: an agency cannot even be identified without the database.
    const whoami = await call(afe, `${t.agencyUrl}/v1/whoami`);
    expect(whoami.status).toBe(503);
    expect(whoami.body).toMatchObject({ code: 'database-unavailable' });
    expect(whoami.headers['retry-after']).toBe('1');
    expect(whoami.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminated/);

    // Live is about the process, not its dependencies.
    expect((await fetch(`${t.publicUrl}/health/live`)).status).toBe(200);

    proxy.restore();
    await eventually(async () => (await readiness()).status === 200, 'readiness to return');
    expect((await call(afe, `${t.agencyUrl}/v1/whoami`)).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('reports not ready, drains and closes listeners and the pool', async () => {
    const t = await startTestGateway({ env: { SHUTDOWN_GRACE_MS: '500' } });
    const afe = agencyAgent(t.certsDir, 'afe');
    expect((await call(afe, `${t.agencyUrl}/v1/whoami`)).status).toBe(200);
    const dataSource = t.gateway.app.get(DataSource);

    const shutdown = t.stop();
    // During the grace period the listeners still answer, and say "not ready"
    // so the load balancer moves traffic away before the drain.
    const ready = await fetch(`${t.publicUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ code: 'not-ready', checks: { shutdown: 'down' } });
    const duringShutdown = await t.gateway.app
      .get(DataSource)
      .query('SELECT 1 AS one')
      .catch(() => null);
    await shutdown;
    expect(t.gateway.servers.agency.listening).toBe(false);
    expect(t.gateway.servers.public.listening).toBe(false);
    expect(dataSource.isInitialized).toBe(false);
    // The pool was still usable while the listeners drained.
    expect(duringShutdown).toEqual([{ one: 1 }]);
    await expect(call(afe, `${t.agencyUrl}/v1/whoami`)).rejects.toThrow();
    await afe.close();
  });
});
