import type { Agent, Dispatcher } from 'undici';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { fetchAnswer, grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';

/**
 * Hostile and malformed input, case by case (OWASP API Security Top 10 2023:
 * API1, API3, API4, API8; ASVS 5: V4 API, V8 authorization, V12 files and
 * resources, V16 logging). Each case checks the status and problem code, that
 * nothing internal leaks, and that the gateway is still healthy afterwards.
 */

/** How `mess`, which sends every agency request here, names the demo citizens. */
const CITIZEN = citizenIdOf('mess', 'demo-citizen-1');
const OTHER_CITIZEN = citizenIdOf('mess', 'demo-citizen-2');
/** Latin letters and their Cyrillic look-alikes. */
const CYRILLIC: Record<string, string> = {
  a: '\u0430',
  c: '\u0441',
  e: '\u0435',
  o: '\u043e',
  p: '\u0440',
  x: '\u0445',
};
/** The last character of the identifier in its fullwidth form. */
const FULLWIDTH = String.fromCharCode(CITIZEN.charCodeAt(CITIZEN.length - 1) + 0xfee0);
const GOOD = { product: 'saaq.adresse', version: 1, purpose: 'mess.aide-sociale', citizen: CITIZEN };
const json = (value: unknown): string => JSON.stringify(value);
const exchangeWith = (fields: Record<string, unknown>): string => json({ ...GOOD, ...fields });

interface Case {
  name: string;
  /** Agency requests go over mutual TLS as `mess`; public ones carry a citizen's bearer token unless `anonymous`. */
  listener: 'agency' | 'public';
  method?: Dispatcher.HttpMethod;
  path: string;
  body?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
  anonymous?: boolean;
  status: number;
  code: string;
}

const CASES: Case[] = [
  // API4 unrestricted resource consumption
  {
    name: 'an oversized body',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ caseRef: 'x'.repeat(2 * 1024 * 1024) }),
    status: 413,
    code: 'payload-too-large',
  },
  {
    name: 'JSON nested 10,000 deep',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a duplicate JSON key (parser differential)',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: `{"product":"saaq.adresse","version":1,"purpose":"mess.aide-sociale","citizen":"${OTHER_CITIZEN}","citizen":"${CITIZEN}"}`,
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a duplicate key written with an escape',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: `{"product":"saaq.adresse","version":1,"purpose":"mess.aide-sociale","citizen":"${CITIZEN}","\\u0063itizen":"x"}`,
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'malformed JSON',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: '{"product": "saaq.adresse",',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'an empty body',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: '',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'an array instead of an object',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: json([GOOD]),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a wrong content type',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: json(GOOD),
    contentType: 'text/plain',
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'a form body on the agency API',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: 'product=saaq.adresse&version=1',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'an XML body',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    contentType: 'application/xml',
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'an unsupported method',
    listener: 'agency',
    method: 'PUT',
    path: '/v1/exchanges',
    body: json(GOOD),
    status: 404,
    code: 'not-found',
  },
  {
    name: 'DELETE on a collection',
    listener: 'public',
    method: 'DELETE',
    path: '/v1/me/consents',
    status: 404,
    code: 'not-found',
  },
  // API8 security misconfiguration / injection
  {
    name: 'SQL injection in the product',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ product: "saaq.adresse' OR '1'='1" }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'SQL injection in the citizen id',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ citizen: `${CITIZEN}'; DROP TABLE consent; --` }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'path traversal in a product name',
    listener: 'agency',
    path: '/v1/catalogue/../../etc/passwd/versions/1',
    status: 404,
    code: 'not-found',
  },
  {
    name: 'encoded path traversal (%2e%2e%2f)',
    listener: 'agency',
    path: '/v1/catalogue/%2e%2e%2f%2e%2e%2fetc%2fpasswd/versions/1',
    status: 404,
    code: 'product-not-found',
  },
  {
    name: 'a control character in the product',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ product: 'saaq.\u0000adresse' }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a zero-width character in the citizen id',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ citizen: `${CITIZEN.slice(0, 8)}\u200b${CITIZEN.slice(8)}` }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a Cyrillic look-alike in the citizen id',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ citizen: CITIZEN.replace(/[aceopx]/, (c) => CYRILLIC[c]) }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a fullwidth look-alike in the citizen id',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ citizen: `${CITIZEN.slice(0, -1)}${FULLWIDTH}` }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'an NFD (decomposed) citizen id',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ citizen: `${CITIZEN.slice(0, 8)}e\u0301${CITIZEN.slice(8)}` }),
    status: 400,
    code: 'invalid-request',
  },
  // V16 log injection
  {
    name: 'CRLF in the case reference (log injection)',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ caseRef: 'case-1\r\n{"level":30,"msg":"forged"}' }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'ANSI escapes in the case reference',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ caseRef: '\u001b[31mred\u001b[0m' }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a bidirectional override in the case reference',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ caseRef: 'case-\u202e1-esac' }),
    status: 400,
    code: 'invalid-request',
  },
  // API3 / V4: data in the wrong place, mass assignment
  {
    name: 'the citizen id in the query string',
    listener: 'agency',
    method: 'POST',
    path: `/v1/exchanges?citizen=${CITIZEN}`,
    body: json(GOOD),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'the citizen id in the query string of a consent request',
    listener: 'agency',
    method: 'POST',
    path: `/v1/consent-requests?citizen=${CITIZEN}`,
    body: json({ citizen: CITIZEN, purpose: 'mess.aide-sociale', products: ['saaq.adresse'] }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'an extra member (mass assignment)',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ organisation: 'afe' }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a version as a string',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ version: '1' }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a prototype-pollution member',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: `{"product":"saaq.adresse","version":1,"purpose":"mess.aide-sociale","citizen":"${CITIZEN}","__proto__":{"admin":true}}`,
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a consent id that is not a UUID',
    listener: 'agency',
    method: 'POST',
    path: '/v1/exchanges',
    body: exchangeWith({ consentId: "' OR 1=1 --" }),
    status: 400,
    code: 'invalid-request',
  },
  // API1 broken object level authorisation: ids that are not ids
  {
    name: 'path traversal in a consent id',
    listener: 'public',
    path: '/v1/me/consents/..%2F..%2Fadmin',
    status: 404,
    code: 'not-found',
  },
  {
    name: 'SQL injection in a consent id',
    listener: 'public',
    path: "/v1/me/consents/1'%20OR%20'1'='1",
    status: 404,
    code: 'not-found',
  },
  {
    name: 'a consent request id with a NUL byte',
    listener: 'public',
    method: 'POST',
    path: '/v1/me/consent-requests/abc%00def/approve',
    status: 404,
    code: 'not-found',
  },
  {
    name: 'a bearer token in the query string',
    listener: 'public',
    path: '/v1/me?access_token=abc.def.ghi',
    anonymous: true,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'an 8 KB garbage bearer token',
    listener: 'public',
    path: '/v1/me',
    anonymous: true,
    headers: { authorization: `Bearer ${'A'.repeat(8 * 1024)}` },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'an audit filter with SQL in it',
    listener: 'public',
    path: "/v1/audit/events?org=afe'%20OR%201=1--",
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'an Idempotency-Key of 300 characters',
    listener: 'agency',
    method: 'POST',
    path: '/v1/consent-requests',
    headers: { 'idempotency-key': 'k'.repeat(300) },
    body: json({ citizen: CITIZEN, purpose: 'mess.aide-sociale', products: ['saaq.adresse'] }),
    status: 400,
    code: 'invalid-request',
  },
];

/** What must never reach a caller. */
const LEAKS = [
  /\bat [\w.<>]+ \(/, // a stack frame
  /node_modules|\/work\/|dist\//,
  /\bSELECT\b|\bINSERT\b|syntax error|relation "/i,
  /TypeError|ReferenceError|SyntaxError: /,
  /demo-citizen/,
  // Nor is the citizen's identifier echoed back.
  new RegExp(CITIZEN),
];

describe('Bad input: each case answers its problem, leaks nothing, and leaves the gateway healthy', () => {
  let gateway: TestGateway;
  let mess: Agent;
  let token: string;

  const send = async (c: Case): Promise<AgencyResponse> => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.body !== undefined && c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
    if (c.listener === 'agency') {
      return call(mess, `${gateway.agencyUrl}${c.path}`, { method: c.method ?? 'GET', headers, body: c.body });
    }
    if (c.anonymous !== true) Object.assign(headers, bearer(token));
    return fetchAnswer(`${gateway.publicUrl}${c.path}`, { method: c.method ?? 'GET', headers, body: c.body });
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    mess = agencyAgent(gateway.certsDir, 'mess');
    token = await citizenToken('demo-citizen-1');
  });

  afterAll(async () => {
    await mess.close();
    await gateway.stop();
  });

  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const response = await send(c);
    expect({ status: response.status, code: (response.body as { code?: string } | undefined)?.code }).toEqual({
      status: c.status,
      code: c.code,
    });
    expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
    for (const leak of LEAKS) expect(response.text).not.toMatch(leak);
    const live = await fetch(`${gateway.publicUrl}/health/ready`);
    expect(live.status).toBe(200);
  });

  it('refuses an Idempotency-Key replayed with another body', async () => {
    const request = (citizen: string): Promise<AgencyResponse> =>
      call(mess, `${gateway.agencyUrl}/v1/consent-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'bad-input-replay-1' },
        body: json({ citizen, purpose: 'mess.aide-sociale', products: ['saaq.adresse'] }),
      });
    expect((await request(citizenIdOf('mess', 'demo-citizen-4'))).status).toBe(201);
    const replayed = await request(citizenIdOf('mess', 'demo-citizen-5'));
    expect({ status: replayed.status, code: (replayed.body as { code?: string }).code }).toEqual({
      status: 422,
      code: 'idempotency-key-reused',
    });
    for (const leak of LEAKS) expect(replayed.text).not.toMatch(leak);
    expect((await fetch(`${gateway.publicUrl}/health/ready`)).status).toBe(200);
  });

  it('still serves a good exchange after all of them, and logged no forged line', async () => {
    const consent = await grantConsent(gateway.publicUrl, 'demo-citizen-1', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(consent.status).toBe(201);
    const good = await call(mess, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json(GOOD),
    });
    expect(good.status).toBe(200);
    expect(gateway.rawLogs.some((line) => line.includes('"msg":"forged"'))).toBe(false);
    expect(gateway.logs.filter((line) => line.level >= 50)).toEqual([]);
  });
});
