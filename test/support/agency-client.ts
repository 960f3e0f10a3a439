import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, Client, type Dispatcher, request } from 'undici';

export interface AgencyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

/** The TLS options of a client presenting `identity` from the given PKI directory (none: no certificate). */
export function tlsOptionsFor(certsDir: string, identity: string | null): Record<string, unknown> {
  const options: Record<string, unknown> = {
    ca: readFileSync(join(certsDir, 'agency-ca.crt')),
    servername: 'localhost',
  };
  if (identity !== null) {
    options.cert = readFileSync(join(certsDir, 'agencies', `${identity}.crt`));
    options.key = readFileSync(join(certsDir, 'agencies', `${identity}.key`));
  }
  return options;
}

export function agencyAgent(certsDir: string, identity: string | null): Agent {
  return new Agent({ connect: tlsOptionsFor(certsDir, identity) });
}

/** One connection, kept alive: every request on it reuses the same TLS session. */
export function agencyConnection(url: string, certsDir: string, identity: string): Client {
  return new Client(url, { connect: tlsOptionsFor(certsDir, identity), pipelining: 1 });
}

/** Set by a spec that checks every answer against the API reference (openapi-conformance.ts). */
let answerCheck: ((method: string, url: string, response: AgencyResponse) => void) | undefined;

export function checkAnswersWith(check: typeof answerCheck): void {
  answerCheck = check;
}

export async function call(
  dispatcher: Dispatcher,
  url: string,
  init: { method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: string } = {},
): Promise<AgencyResponse> {
  const response = await request(url, {
    dispatcher,
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body,
  });
  const text = await response.body.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const answer = { status: response.statusCode, headers: response.headers, body, text };
  answerCheck?.(init.method ?? 'GET', url, answer);
  return answer;
}
