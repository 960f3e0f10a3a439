import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import type { Agent } from 'undici';
import { SAAQ_RECORDS } from '../src/adapters/simulators/demo-records';
import { testEnv } from './setup/test-env';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { startHttpStub, type HttpStub, type StubRequest } from './support/http-stub';
import { eventually, settles, startTestGateway, type TestGateway } from './support/test-gateway';

const ADDRESS = {
  product: 'saaq.adresse',
  version: 1,
  purpose: 'mess.aide-sociale',
  citizen: citizenIdOf('mess', 'demo-citizen-1'),
};

/** The SAAQ's answer to `request`: the licence holder's address, as the real source gives it. */
function answerAddress(request: StubRequest, response: ServerResponse): void {
  const id = /^\/v1\/permis\/([^/]+)\/adresse$/.exec(request.url)?.[1] ?? '';
  const record = SAAQ_RECORDS.find((r) => r.numeroPermis === decodeURIComponent(id));
  response.writeHead(record === undefined ? 404 : 200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(record ?? { title: 'Permis introuvable' }));
}

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
  /** Until the test lets it, the address source answers nothing: each exchange holds its slot meanwhile. */
  let sourceHeld = true;
  const heldBySource: (() => void)[] = [];
  const releaseSource = (): void => {
    sourceHeld = false;
    for (const answer of heldBySource.splice(0)) answer();
  };
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
    stuck = await startHttpStub((request, response) => {
      const answer = (): void => answerAddress(request, response);
      if (sourceHeld) heldBySource.push(answer);
      else answer();
    });
    const endpoints = testEnv('sourceEndpoints')
      .split(',')
      .map((pair) => (pair.startsWith('saaq-rest=') ? `saaq-rest=${stuck.url}` : pair))
      .join(',');
    gateway = await startTestGateway({
      env: {
        SOURCE_ENDPOINTS: endpoints,
        // Far beyond the test: the held exchanges end when the source is released, not at a deadline.
        SOURCE_DEADLINE_MS: '30000',
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
    // Both slots are taken by exchanges that the source holds until the test releases it. The next request is
    // refused while both are still held: it cannot have waited for a slot to free up, whatever the machine's speed.
    let answered = 0;
    const held = [exchange(), exchange()].map((pending) => pending.finally(() => answered++));
    await eventually(() => heldBySource.length === 2, 'both exchanges to reach the source', 30_000);
    const shed = await settles(whoami(afe), 'the request past the cap to be refused while the slots are held');
    expect(answered).toBe(0);
    expect(shed.status).toBe(503);
    expect(shed.body).toMatchObject({ code: 'overloaded' });
    expect(shed.headers['retry-after']).toBe('1');
    releaseSource();
    const answers = await settles(Promise.all(held), 'the held exchanges once the source answers');
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
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
