import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { mintDevToken } from '../src/citizen-auth/dev-idp/dev-token';
import { bearer, devIdpKey, TEST_AUDIENCE } from './support/citizen-tokens';
import { startPortalGateway, type PortalGateway } from './support/portal-gateway';
import { eventually } from './support/test-gateway';
import { WebClient } from './support/web-client';

const GRACE_MS = 2_000;
const FLOOR_BYTES_PER_SECOND = 100;
const ANONYMOUS_SHARE = 4;
const PUBLIC_CAP = 16;
/** More slow clients than the whole public cap, as in the attack. */
const ATTACKERS = 40;

/** A request written by hand on its own socket: what it has been answered so far, and when the socket closed. */
interface RawExchange {
  socket: Socket;
  /** Everything the gateway wrote back. */
  answer: () => string;
  closed: Promise<number>;
}

async function openRequest(publicUrl: string, head: string, firstBytes: string): Promise<RawExchange> {
  const { hostname, port } = new URL(publicUrl);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  socket.write(`${head}\r\n\r\n${firstBytes}`);
  return { socket, answer: () => text, closed };
}

function postHead(length: number, extra: string[] = []): string {
  return [
    'POST /v1/me/consents HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    ...extra,
  ].join('\r\n');
}

const statusOf = (answer: string): number | undefined => {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return match === null ? undefined : Number(match[1]);
};

const bodyOf = (answer: string): unknown => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as unknown;

describe('The public listener under slow request bodies', () => {
  let gateway: PortalGateway;
  const token = async (subject: string): Promise<string> =>
    mintDevToken(await devIdpKey(), { issuer: gateway.issuer, audience: TEST_AUDIENCE, subject });

  beforeAll(async () => {
    gateway = await startPortalGateway({
      PUBLIC_MAX_IN_FLIGHT: String(PUBLIC_CAP),
      ANONYMOUS_MAX_IN_FLIGHT: String(ANONYMOUS_SHARE),
      BODY_MIN_RATE_GRACE_MS: String(GRACE_MS),
      BODY_MIN_BYTES_PER_SECOND: String(FLOOR_BYTES_PER_SECOND),
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  it('keeps room for signed-in citizens and the portal while anonymous slow bodies crowd in', async () => {
    const portal = new WebClient();
    const signedIn = await portal.follow(`${gateway.publicUrl}/auth/login`, 'demo-citizen-1');
    expect(new URL(signedIn.url).pathname).toBe('/consents');
    const citizen = bearer(await token('demo-citizen-2'));

    // Plain anonymous clients, and clients with a forged token or a forged session cookie: all anonymous.
    const disguises = [[], ['Authorization: Bearer aaaa.bbbb.cccc'], ['Cookie: passerelle_session=forged.value']];
    const attackers: RawExchange[] = [];
    for (let i = 0; i < ATTACKERS; i++) {
      attackers.push(await openRequest(gateway.publicUrl, postHead(100_000, disguises[i % 3]), '{"requester":"'));
    }
    // Above the floor (about twice it), so that only the anonymous share keeps them out.
    const trickle = setInterval(() => {
      for (const attacker of attackers) if (!attacker.socket.destroyed) attacker.socket.write(' '.repeat(40));
    }, 200);
    try {
      const shed = (): RawExchange[] => attackers.filter((a) => statusOf(a.answer()) === 503);
      await eventually(() => shed().length >= ATTACKERS - PUBLIC_CAP, 'the attackers past the whole cap shed');
      expect(bodyOf(shed()[0].answer())).toMatchObject({ code: 'overloaded', status: 503 });

      const mine = await fetch(`${gateway.publicUrl}/v1/me/consents`, { headers: citizen });
      expect(mine.status).toBe(200);
      const page = await portal.request(`${gateway.publicUrl}/consents`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Connecté en tant que Émilie Rose Tremblay');
      // Another anonymous request finds the share full; probes still answer.
      const anonymous = await fetch(`${gateway.publicUrl}/v1/me`);
      expect(anonymous.status).toBe(503);
      expect((await fetch(`${gateway.publicUrl}/health/ready`)).status).toBe(200);
      // Only the share is held, and held, not cut: these bodies keep above the floor.
      expect(shed().length).toBe(ATTACKERS - ANONYMOUS_SHARE);
      expect(attackers.filter((a) => a.answer() === '').length).toBe(ANONYMOUS_SHARE);
    } finally {
      clearInterval(trickle);
      for (const attacker of attackers) attacker.socket.destroy();
    }
    await eventually(async () => (await fetch(`${gateway.publicUrl}/v1/me`)).status === 401, 'the share given back');
  });

  it('cuts a body that falls behind the floor with 408 and closes its connection, and lets a steady one through', async () => {
    const citizen = `Authorization: Bearer ${await token('demo-citizen-3')}`;
    const first = '{"requester":';
    const started = Date.now();
    const stalled = await openRequest(gateway.publicUrl, postHead(100, [citizen]), first);

    // A body that keeps coming at twice the floor for longer than the grace is served.
    const grant = JSON.stringify({
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
    });
    const padded = grant + ' '.repeat(700 - grant.length);
    const steady = await openRequest(gateway.publicUrl, postHead(padded.length, [citizen]), padded.slice(0, 20));
    let sent = 20;
    const trickle = setInterval(() => {
      steady.socket.write(padded.slice(sent, sent + 40));
      sent += 40;
      if (sent >= padded.length) clearInterval(trickle);
    }, 200);

    // Only stops a test whose gateway never cuts: Node's own 408 (requestTimeout, 30 s) has no problem+json body.
    const closedAt = await Promise.race([
      stalled.closed,
      new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), GRACE_MS + 18_000)),
    ]);
    stalled.socket.destroy();
    const answer = stalled.answer();
    expect(statusOf(answer)).toBe(408);
    expect(answer).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    expect(answer).toMatch(/\r\nconnection: close/i);
    expect(bodyOf(answer)).toMatchObject({ code: 'request-timeout', status: 408 });
    // Not before the grace, plus a second per floor's worth of bytes received (less the timer's slack). No upper
    // bound: a busy machine only makes the cut later, and the body above says the floor, not a server timeout, cut it.
    const deadline = GRACE_MS + (first.length / FLOOR_BYTES_PER_SECOND) * 1000;
    expect(closedAt - started).toBeGreaterThanOrEqual(deadline - 50);

    await eventually(() => statusOf(steady.answer()) !== undefined, 'the steady body answered', 10_000);
    clearInterval(trickle);
    steady.socket.destroy();
    expect(statusOf(steady.answer())).toBe(201);
  });
});
