/**
 * Callback URLs are the agencies' own (OWASP API7:2023, server-side request
 * forgery): outside development the gateway calls public unicast addresses and
 * the networks in WEBHOOK_ALLOWED_NETWORKS only, whether the address is in the
 * URL (refused at registration) or comes from resolving its host name (refused
 * at each connection, so a name cannot be re-pointed after the check).
 */
import { join } from 'node:path';
import type { Agent } from 'undici';
import { Client } from 'pg';
import { agencyAgent, call } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { startHttpStub, type HttpStub } from './support/http-stub';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';
import { DESTINATION_REFUSED, webhookAgent } from '../src/notifications/webhook-destination';
import { sendWebhook } from '../src/notifications/webhook-sender';
import { loadSigningKey } from '../src/platform/signing/signing-key';

const EVENT = { id: 'evt-1', type: 'consent.granted', occurredAt: '2026-01-01T00:00:00.000Z', data: {} };

describe('Webhook destinations', () => {
  let gateway: TestGateway;
  let afe: Agent;
  let receiver: HttpStub;
  let db: Client;

  const register = (url: string) =>
    call(afe, `${gateway.agencyUrl}/v1/webhook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });

  beforeAll(async () => {
    receiver = await startHttpStub((_request, response) => response.writeHead(204).end());
    gateway = await startTestGateway({
      env: {
        WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, fd00:20::/32',
        NOTIFY_INTERVAL_MS: '50',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_MAX_ATTEMPTS: '2',
      },
    });
    afe = agencyAgent(gateway.certsDir, 'afe');
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await afe.close();
    await gateway.stop();
    await receiver.close();
  });

  it.each([
    ['loopback', 'http://127.0.0.1:8080/hooks'],
    ['loopback, another form', 'http://0x7f000001/hooks'],
    ['IPv6 loopback', 'http://[::1]/hooks'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hooks'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data'],
    ['private network not listed', 'https://10.0.0.1/hooks'],
    ['private network not listed (192.168)', 'https://192.168.1.10/hooks'],
    ['carrier-grade NAT', 'https://100.64.0.1/hooks'],
    ['unspecified', 'http://0.0.0.0/hooks'],
    ['IPv6 unique-local not listed', 'https://[fc00::1]/hooks'],
    ['NAT64 of a private address', 'https://[64:ff9b::a00:1]/hooks'],
    ['IPv4-compatible loopback', 'http://[::127.0.0.1]/'],
    ['IPv4-translated loopback', 'http://[::ffff:0:7f00:1]/'],
    ['local-use NAT64', 'https://[64:ff9b:1::808:808]/hooks'],
    ['6to4 cloud metadata', 'http://[2002:a9fe:a9fe::1]/latest/meta-data'],
    ['Teredo loopback client', 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hooks'],
    ['ISATAP private', 'http://[2606:4700::5efe:a00:1]/hooks'],
  ])('refuses a callback to a %s address (%s)', async (_kind, url) => {
    const response = await register(url);
    expect(response.status).toBe(400);
    expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
    const problem = response.body as { code: string; errors: { pointer: string; message: string }[] };
    expect(problem.code).toBe('invalid-request');
    expect(problem.errors).toEqual([
      { pointer: '/url', message: 'must not point to a loopback, private, link-local or reserved address' },
    ]);
  });

  it.each([
    ['a listed private network', 'https://10.20.3.4/hooks'],
    ['a listed IPv6 network', 'https://[fd00:20::4]/hooks'],
    ['a public address', 'https://8.8.8.8/hooks'],
    ['a public IPv6 address', 'https://[2606:4700::1111]/hooks'],
    ['NAT64 of a public address (DNS64 gives these)', 'https://[64:ff9b::808:808]/hooks'],
    ['a host name, checked when it is resolved', 'https://hooks.example/passerelle'],
  ])('accepts a callback to %s (%s)', async (_kind, url) => {
    const response = await register(url);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ organisation: 'afe', url: new URL(url).toString() });
  });

  it('never connects to a host name that resolves to loopback, and dead-letters the delivery', async () => {
    const port = new URL(receiver.url).port;
    expect((await register(`http://localhost:${port}/hooks`)).status).toBe(200);
    const granted = await grantConsent(gateway.publicUrl, 'demo-citizen-3', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
    });
    expect(granted.status).toBe(201);
    const consentId = ((await granted.json()) as { id: string }).id;
    const webhook = async () =>
      (
        await db.query<{ status: string; attempts: number; last_error: string | null }>(
          `SELECT d.status, d.attempts, d.last_error FROM notification_delivery d
           JOIN outbox_event e ON e.id = d.event_id
           WHERE d.channel = 'webhook' AND e.payload->>'consentId' = $1`,
          [consentId],
        )
      ).rows[0];
    await eventually(async () => (await webhook())?.status === 'dead', 'the delivery dead-lettered', 10_000);
    expect(await webhook()).toEqual({ status: 'dead', attempts: 2, last_error: DESTINATION_REFUSED });
    expect(receiver.connections).toBe(0);
  });

  it('connects to the same receiver when its network is listed, and signs the body', async () => {
    const key = await loadSigningKey(join(gateway.certsDir, 'signing-key.pem'));
    const port = new URL(receiver.url).port;
    const options = (networks: string[]) => ({ timeoutMs: 2_000, networks, dispatcher: webhookAgent(networks) });
    const refused = options(['10.0.0.0/8']);
    const listed = options(['127.0.0.0/8']);
    try {
      expect(await sendWebhook(`http://localhost:${port}/hooks`, EVENT, key, refused)).toBe(DESTINATION_REFUSED);
      expect(await sendWebhook(`http://127.0.0.1:${port}/hooks`, EVENT, key, refused)).toBe(DESTINATION_REFUSED);
      expect(receiver.connections).toBe(0);
      expect(await sendWebhook(`http://localhost:${port}/hooks`, EVENT, key, listed)).toBeNull();
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0].headers['x-jws-signature']).toMatch(/^[\w-]+\.\.[\w-]+$/);
    } finally {
      await Promise.all([refused.dispatcher.close(), listed.dispatcher.close()]);
    }
  });
});
