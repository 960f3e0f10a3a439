import { join } from 'node:path';
import { request } from 'undici';
import {
  type DemoWebhookReceiver,
  type ReceivedWebhook,
  startDemoWebhookReceiver,
} from '../src/notifications/demo-webhook-receiver';
import { webhookAgent } from '../src/notifications/webhook-destination';
import { sendWebhook } from '../src/notifications/webhook-sender';
import { loadSigningKey } from '../src/platform/signing/signing-key';
import { testEnv } from './setup/test-env';

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await request(url, { method: 'POST', headers, body });
  await response.body.dump();
  return response.statusCode;
}

async function received(receiver: DemoWebhookReceiver): Promise<ReceivedWebhook[]> {
  const response = await request(receiver.receivedUrl);
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return (await response.body.json()) as ReceivedWebhook[];
}

describe("the demo agencies' webhook receiver", () => {
  let receiver: DemoWebhookReceiver;

  beforeEach(async () => {
    receiver = await startDemoWebhookReceiver({ capacity: 3 });
  });

  afterEach(() => receiver.close());

  it('listens on loopback and has received nothing yet', async () => {
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(receiver.receivedUrl).toBe(`${receiver.url}/received`);
    expect(await received(receiver)).toEqual([]);
  });

  it('takes a POST on any path and shows it at /received, with its headers and body', async () => {
    const before = Date.now();
    const status = await post(`${receiver.url}/retraite-qc`, '{"type":"product.changed"}', {
      'content-type': 'application/json',
      'x-jws-signature': 'eyJhbGciOiJFUzI1NiJ9..c2ln',
    });
    expect(status).toBe(204);
    const [entry, ...rest] = await received(receiver);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      path: '/retraite-qc',
      headers: { 'content-type': 'application/json', 'x-jws-signature': 'eyJhbGciOiJFUzI1NiJ9..c2ln' },
      body: { type: 'product.changed' },
    });
    expect(Date.parse(entry.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('keeps a body that is not JSON as text', async () => {
    await post(`${receiver.url}/somewhere/else`, 'not json');
    expect(await received(receiver)).toMatchObject([{ path: '/somewhere/else', body: 'not json' }]);
  });

  it('keeps only the last ones, oldest first', async () => {
    for (const n of [1, 2, 3, 4, 5]) await post(`${receiver.url}/hook`, JSON.stringify({ n }));
    expect((await received(receiver)).map((entry) => entry.body)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
  });

  it('answers 405 to anything but a POST or GET /received', async () => {
    const response = await request(`${receiver.url}/hook`, { method: 'GET' });
    await response.body.dump();
    expect(response.statusCode).toBe(405);
    expect(await received(receiver)).toEqual([]);
  });

  it("receives the gateway's own webhook delivery, signature and all", async () => {
    const key = await loadSigningKey(join(testEnv('certsDir'), 'signing-key.pem'));
    const dispatcher = webhookAgent('any');
    const event = {
      id: 'evt-1',
      type: 'product.changed',
      occurredAt: new Date().toISOString(),
      data: { product: 'saaq.adresse' },
    };
    try {
      const failure = await sendWebhook(`${receiver.url}/retraite-qc`, event, key, {
        timeoutMs: 5000,
        networks: 'any',
        dispatcher,
      });
      expect(failure).toBeNull();
    } finally {
      await dispatcher.close();
    }
    const [entry] = await received(receiver);
    expect(entry.body).toEqual(event);
    expect(entry.headers['webhook-id']).toBe('evt-1');
    expect(entry.headers['x-jws-signature']).toMatch(/^[\w-]+\.\.[\w-]+$/);
  });
});
