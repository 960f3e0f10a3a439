import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { NotificationsConfig } from '../../platform/config/config';
import { listenOn } from '../../platform/net/listen';
import { INBOX_CSP, type InboxMail, type InboxSms, inboxPage } from './dev-inbox-page';

/**
 * Development only: a real SMTP server and a text-message sink on loopback,
 * so that `npm start` sends citizens' messages exactly as production does and
 * a developer can read them. Every e-mail is kept as an .eml file, every text
 * message as a .json file, under `dir`; `GET /` on the HTTP port lists them.
 */
export interface DevMailServer {
  /** `smtp://127.0.0.1:PORT`, for SMTP_URL. */
  smtpUrl: string;
  /** `http://127.0.0.1:PORT/`: the inbox page. */
  inboxUrl: string;
  /** `http://127.0.0.1:PORT/sms`, for SMS_URL. */
  smsUrl: string;
  /** What was received, newest first. */
  mails(): Promise<InboxMail[]>;
  texts(): Promise<InboxSms[]>;
  close(): Promise<void>;
}

export interface DevMailOptions {
  /** Where messages are kept. */
  dir: string;
  /** 0: any free port. */
  smtpPort?: number;
  httpPort?: number;
  /** When set, the sink takes only requests with `Authorization: Bearer <smsToken>`, as a provider would. */
  smsToken?: string;
}

const HOST = '127.0.0.1';
const MAX_MAIL_BYTES = 1024 * 1024;
const MAX_SMS_BODY_BYTES = 16 * 1024;
/** The page shows the newest ones only. */
const SHOWN = 100;

let sequence = 0;
/** Names that sort in the order things arrived. */
const fileName = (extension: string): string =>
  `${Date.now()}-${String(sequence++ % 1e6).padStart(6, '0')}-${randomBytes(3).toString('hex')}.${extension}`;

async function newestFiles(dir: string, extension: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith(`.${extension}`))
    .sort()
    .reverse()
    .slice(0, SHOWN);
}

async function readMail(dir: string, file: string): Promise<InboxMail> {
  const parsed = await simpleParser(await readFile(join(dir, file)));
  const to = parsed.to === undefined ? [] : Array.isArray(parsed.to) ? parsed.to : [parsed.to];
  return {
    file,
    date: parsed.date?.toISOString(),
    to: to.map((address) => address.text).join(', '),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
  };
}

function answer(response: ServerResponse, status: number, type?: string, body?: string): void {
  const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  if (type !== undefined && body !== undefined) {
    headers['content-type'] = type;
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  response.writeHead(status, headers).end(body);
}

function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

/** `{to, text}` as a provider would take it, or undefined. */
function smsOf(body: Buffer): { to: string; text: string } | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { to?: unknown; text?: unknown };
    const { to, text } = parsed;
    if (typeof to !== 'string' || !/^\+[1-9]\d{6,14}$/.test(to)) return undefined;
    if (typeof text !== 'string' || text.length === 0 || text.length > 1600) return undefined;
    return { to, text };
  } catch {
    return undefined;
  }
}

export async function startDevMailServer(options: DevMailOptions): Promise<DevMailServer> {
  const { dir } = options;
  const smsDir = join(dir, 'sms');
  await mkdir(smsDir, { recursive: true, mode: 0o700 });

  const smtp = new SMTPServer({
    // Loopback only, no TLS and no login: nothing but this machine can reach it.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: MAX_MAIL_BYTES,
    logger: false,
    closeTimeout: 1000,
    banner: 'Passerelle development mail server',
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error: Error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
          return;
        }
        writeFile(join(dir, fileName('eml')), Buffer.concat(chunks), { mode: 0o600 }).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      });
    },
  });
  // A client that misbehaves must not stop the process.
  smtp.on('error', () => undefined);

  const mails = async (): Promise<InboxMail[]> =>
    Promise.all((await newestFiles(dir, 'eml')).map((file) => readMail(dir, file)));
  const texts = async (): Promise<InboxSms[]> =>
    Promise.all(
      (await newestFiles(smsDir, 'json')).map(
        async (file) => JSON.parse(await readFile(join(smsDir, file), 'utf8')) as InboxSms,
      ),
    );

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://inbox').pathname;
    if (request.method === 'POST' && path === '/sms') {
      if (!bearerMatches(request.headers.authorization, options.smsToken)) {
        request.resume();
        return answer(response, 401);
      }
      const body = await readBody(request, MAX_SMS_BODY_BYTES);
      const sms = body === undefined ? undefined : smsOf(body);
      if (sms === undefined) return answer(response, body === undefined ? 413 : 400);
      const entry: InboxSms = { receivedAt: new Date().toISOString(), ...sms };
      await writeFile(join(smsDir, fileName('json')), JSON.stringify(entry), { mode: 0o600 });
      return answer(response, 202);
    }
    request.resume();
    if (request.method !== 'GET') return answer(response, 405);
    switch (path) {
      case '/':
        response.setHeader('content-security-policy', INBOX_CSP);
        return answer(response, 200, 'text/html; charset=utf-8', inboxPage(await mails(), await texts()));
      case '/mail.json':
        return answer(response, 200, 'application/json', JSON.stringify(await mails()));
      case '/sms.json':
        return answer(response, 200, 'application/json', JSON.stringify(await texts()));
      default:
        return answer(response, 404);
    }
  };
  const http = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) answer(response, 500);
      else response.destroy();
    });
  });

  const smtpPort = await listenOn(smtp.server, options.smtpPort ?? 0, HOST);
  let httpPort: number;
  try {
    httpPort = await listenOn(http, options.httpPort ?? 0, HOST);
  } catch (error) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw error;
  }
  return {
    smtpUrl: `smtp://${HOST}:${smtpPort}`,
    inboxUrl: `http://${HOST}:${httpPort}/`,
    smsUrl: `http://${HOST}:${httpPort}/sms`,
    mails,
    texts,
    close: async () => {
      http.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
}

/** Whether `npm start` runs the local mail server: when asked (DEV_MAIL) and no real one is named (SMTP_URL). */
export function devMailWanted(config: { notifications: Pick<NotificationsConfig, 'devMail' | 'smtpUrl'> }): boolean {
  return config.notifications.devMail.enabled && config.notifications.smtpUrl === undefined;
}

/** The gateway's settings with the local server as its mail server, and as its text-message provider unless one is named. */
export function withDevMail<C extends { notifications: NotificationsConfig }>(config: C, server: DevMailServer): C {
  const { notifications } = config;
  return {
    ...config,
    notifications: {
      ...notifications,
      smtpUrl: server.smtpUrl,
      sms: notifications.sms.url === undefined ? { url: server.smsUrl, token: undefined } : notifications.sms,
    },
  };
}
