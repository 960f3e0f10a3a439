import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Agent } from 'undici';
import { testEnv } from './setup/test-env';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { startHttpStub, type HttpStub } from './support/http-stub';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';

const ADDRESS = {
  product: 'saaq.adresse',
  version: 1,
  purpose: 'mess.aide-sociale',
  citizen: citizenIdOf('mess', 'demo-citizen-1'),
};

/** A request whose body never finishes: admitted when its headers arrive, it holds its slot until the socket goes. */
async function holdUpload(publicUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(publicUrl);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(
    'POST /v1/me/consents HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"requester":',
  );
  return socket;
}

describe('Admission: per-organisation rate limits and load shedding on each listener', () => {
  let gateway: TestGateway;
  let stuck: HttpStub;
  let afe: Agent;
  let mess: Agent;

  const whoami = (agent: Agent): Promise<AgencyResponse> => call(agent, `${gateway.agencyUrl}/v1/whoami`);
  const exchange = (): Promise<AgencyResponse> =>
    call(mess, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADDRESS),
    });

  beforeAll(async () => {
    // The address source never answers: each exchange holds its slot until the deadline.
    stuck = await startHttpStub(() => undefined);
    const endpoints = testEnv('sourceEndpoints')
      .split(',')
      .map((pair) => (pair.startsWith('saaq-rest=') ? `saaq-rest=${stuck.url}` : pair))
      .join(',');
    gateway = await startTestGateway({
      env: {
        SOURCE_ENDPOINTS: endpoints,
        SOURCE_DEADLINE_MS: '1500',
        AGENCY_MAX_IN_FLIGHT: '2',
        PUBLIC_MAX_IN_FLIGHT: '2',
        // The held uploads below stall on purpose; the slow-body floor is tested in slow-bodies.e2e-spec.ts.
        BODY_MIN_RATE_GRACE_MS: '60000',
        AGENCY_RATE_LIMIT_RPS: '2',
        AGENCY_RATE_LIMIT_BURST: '6',
      },
    });
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
    const consent = await grantConsent(gateway.publicUrl, 'demo-citizen-1', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(consent.status).toBe(201);
  });

  afterAll(async () => {
    await Promise.all([afe.close(), mess.close()]);
    await gateway.stop();
    await stuck.close();
  });

  it("answers an organisation's flood with 429 and Retry-After, and serves another organisation meanwhile", async () => {
    // One after another, so that only the rate limit (not the in-flight cap) is at work.
    const flood: AgencyResponse[] = [];
    for (let i = 0; i < 12; i++) flood.push(await whoami(afe));
    const limited = flood.filter((r) => r.status === 429);
    expect(flood.filter((r) => r.status === 200).length).toBeLessThanOrEqual(7);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(limited[0].body).toMatchObject({ code: 'rate-limited', status: 429 });
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await whoami(mess)).status).toBe(200);
  });

  it('sheds past the in-flight cap at once with 503 and Retry-After, and recovers when the slots free up', async () => {
    const held = [exchange(), exchange()];
    // Both slots are taken while the source hangs; the next request is refused without waiting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const shed = await whoami(afe);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(shed.status).toBe(503);
    expect(shed.body).toMatchObject({ code: 'overloaded' });
    expect(shed.headers['retry-after']).toBe('1');
    const answers = await Promise.all(held);
    expect(answers.map((r) => r.status)).toEqual([504, 504]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await whoami(afe)).status).toBe(200);
  });

  it('sheds on the public listener past its own cap, while health probes and metrics still answer', async () => {
    const me = (): Promise<Response> => fetch(`${gateway.publicUrl}/v1/me`);
    const held = [await holdUpload(gateway.publicUrl), await holdUpload(gateway.publicUrl)];
    try {
      await eventually(async () => (await me()).status === 503, 'both public slots taken', 5_000);
      const shed = await me();
      expect(shed.headers.get('retry-after')).toBe('1');
      expect(await shed.json()).toMatchObject({ code: 'overloaded', status: 503 });
      expect((await fetch(`${gateway.publicUrl}/health/ready`)).status).toBe(200);
      expect((await fetch(`${gateway.metricsUrl}/metrics`)).status).toBe(200);
      // The agency listener has its own slots.
      expect((await whoami(mess)).status).toBe(200);
    } finally {
      for (const socket of held) socket.destroy();
    }
    await eventually(async () => (await me()).status === 401, 'the slots given back', 5_000);
  });
});
