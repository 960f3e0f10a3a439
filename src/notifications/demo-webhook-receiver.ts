import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AppConfig } from '../platform/config/config';
import { listenOn } from '../platform/net/listen';
import type { NotificationRepository } from './notification.repository';
import { refusedLiteral } from './webhook-destination';

/** A POST the receiver took, as `GET /received` lists them (oldest first). */
export interface ReceivedWebhook {
  receivedAt: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the text when it is not JSON. */
  body: unknown;
}

export interface DemoWebhookReceiver {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Where to read what it received. */
  receivedUrl: string;
  received(): ReceivedWebhook[];
  close(): Promise<void>;
}

/** The demo agencies whose webhook the demo seed points at the receiver (one path each). */
export const DEMO_WEBHOOK_ORGANISATIONS = ['retraite-qc'] as const;

const DEFAULT_CAPACITY = 100;
const MAX_BODY_BYTES = 1024 * 1024;
const HOST = '127.0.0.1';

/** `entries` with `entry` last, holding at most `capacity` (the oldest go first). Pure. */
export function keepLast<T>(entries: readonly T[], entry: T, capacity: number): T[] {
  return [...entries, entry].slice(-capacity);
}

/** Whether `npm start` runs the receiver: with the simulators and the demo seed, where callbacks may reach it. */
export function demoWebhookReceiverWanted(config: Pick<AppConfig, 'demoSeed' | 'sources' | 'notifications'>): boolean {
  const { allowHttpWebhooks, webhookNetworks } = config.notifications;
  return (
    config.demoSeed &&
    config.sources.simulators &&
    allowHttpWebhooks &&
    refusedLiteral(`http://${HOST}/`, webhookNetworks) === undefined
  );
}

function parseBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function answer(response: ServerResponse, status: number, body?: string): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  response
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

/**
 * The demo agencies' webhook receiver: what a requesting agency's back end
 * would run to hear from the gateway. It accepts a POST on any path, checks
 * nothing (a real receiver verifies `x-jws-signature` against the gateway's
 * JWKS), keeps the last ones in memory and shows them at `GET /received`.
 * Development and demos only: it listens on loopback.
 */
export async function startDemoWebhookReceiver(
  options: { port?: number; capacity?: number } = {},
): Promise<DemoWebhookReceiver> {
  const capacity = options.capacity ?? DEFAULT_CAPACITY;
  let entries: ReceivedWebhook[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://receiver').pathname;
    if (request.method === 'GET' && path === '/received') {
      request.resume();
      return answer(response, 200, JSON.stringify(entries));
    }
    if (request.method !== 'POST') {
      request.resume();
      return answer(response, 405);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
    }
    if (size > MAX_BODY_BYTES) return answer(response, 413);
    const entry = {
      receivedAt: new Date().toISOString(),
      path,
      headers: request.headers,
      body: parseBody(Buffer.concat(chunks)),
    };
    entries = keepLast(entries, entry, capacity);
    return answer(response, 204);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });
  const port = await listenOn(server, options.port ?? 0, HOST);
  const url = `http://${HOST}:${port}`;
  return {
    url,
    receivedUrl: `${url}/received`,
    received: () => [...entries],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The URL to register for `organisation`, or undefined to leave its webhook
 * as it is: one the agency registered itself stays; none, or a receiver of an
 * earlier start (another port), becomes `<receiverUrl>/<organisation>`. Pure.
 */
export function demoWebhookToSet(
  existing: string | undefined,
  receiverUrl: string,
  organisation: string,
): string | undefined {
  const wanted = `${receiverUrl}/${organisation}`;
  if (existing === wanted) return undefined;
  if (existing === undefined) return wanted;
  const earlier = new RegExp(`^http://${HOST.replaceAll('.', '\\.')}:\\d{1,5}/${organisation}$`);
  return earlier.test(existing) ? wanted : undefined;
}

/** Points the demo agencies' webhooks at the receiver (see demoWebhookToSet). Idempotent. */
export async function seedDemoWebhooks(repository: NotificationRepository, receiverUrl: string): Promise<void> {
  for (const organisation of DEMO_WEBHOOK_ORGANISATIONS) {
    const url = demoWebhookToSet(await repository.getWebhook(organisation), receiverUrl, organisation);
    if (url !== undefined) await repository.setWebhook(organisation, url);
  }
}
