import type { Agent, Dispatcher } from 'undici';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { fetchAnswer } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';

/**
 * Input that looks valid to a schema or a router and used to fail deeper as a
 * 500: malformed percent-escapes in a query or a path, timestamps that pass
 * the `date-time` format but that no Date can hold (a leap second, an offset
 * of hours only), and asset names that are members of Object.prototype. Each
 * is the caller's mistake, so each answers its problem document, and the
 * gateway stays healthy. Companion to bad-input.e2e-spec.ts.
 */

interface Case {
  name: string;
  /** Agency requests go over mutual TLS as `mess`; public ones carry the token of `as`, or none. */
  listener: 'agency' | 'public';
  as?: 'citizen' | 'officer';
  method?: Dispatcher.HttpMethod;
  path: string;
  body?: unknown;
  status: number;
  code: string;
}

const GRANT = { requester: 'afe', purpose: 'afe.calcul-aide', products: ['revenu.avis-cotisation'] };
const ASK = {
  citizen: citizenIdOf('mess', 'demo-citizen-1'),
  purpose: 'mess.aide-sociale',
  products: ['saaq.adresse'],
};

const CASES: Case[] = [
  // Malformed escapes in a query string: refused before any handler or logger decodes them.
  {
    name: 'a cut UTF-8 escape on a health probe',
    listener: 'public',
    path: '/health/live?x=%E0%A4%A',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a malformed escape in a query name',
    listener: 'public',
    path: '/health/live?%zz=1',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a lone lead byte on the readiness probe',
    listener: 'public',
    path: '/health/ready?x=%E0',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a malformed audit filter',
    listener: 'public',
    as: 'officer',
    path: '/v1/audit/events?org=%zz',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a malformed escape on the agency listener',
    listener: 'agency',
    path: '/v1/catalogue?lang=%zz',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a malformed escape on a route that does not exist',
    listener: 'public',
    path: '/nowhere?x=%zz',
    status: 400,
    code: 'invalid-request',
  },
  // Malformed escapes in the path: the router cannot read them.
  {
    name: 'a malformed escape in a consent id',
    listener: 'public',
    as: 'citizen',
    path: '/v1/me/consents/%zz',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a cut UTF-8 escape in a path',
    listener: 'public',
    path: '/health/live/%E0%A4%A',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a malformed escape in a catalogue path',
    listener: 'agency',
    path: '/v1/catalogue/%zz/versions/1',
    status: 400,
    code: 'invalid-request',
  },
  // Timestamps the date-time format accepted and Date could not hold.
  {
    name: 'a consent ending on a leap second',
    listener: 'public',
    as: 'citizen',
    method: 'POST',
    path: '/v1/me/consents',
    body: { ...GRANT, validUntil: '2026-12-31T23:59:60Z' },
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a consent ending on a leap second at an offset',
    listener: 'public',
    as: 'citizen',
    method: 'POST',
    path: '/v1/me/consents',
    body: { ...GRANT, validUntil: '2026-12-31T18:59:60-05:00' },
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a consent ending at an offset of hours only',
    listener: 'public',
    as: 'citizen',
    method: 'POST',
    path: '/v1/me/consents',
    body: { ...GRANT, validUntil: '2026-12-31T00:00:00+05' },
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a consent ending on 30 February',
    listener: 'public',
    as: 'citizen',
    method: 'POST',
    path: '/v1/me/consents',
    body: { ...GRANT, validUntil: '2027-02-30T00:00:00Z' },
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a consent request ending on a leap second',
    listener: 'agency',
    method: 'POST',
    path: '/v1/consent-requests',
    body: { ...ASK, validUntil: '2026-12-31T23:59:60Z' },
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a consent request ending at an offset of hours only',
    listener: 'agency',
    method: 'POST',
    path: '/v1/consent-requests',
    body: { ...ASK, validUntil: '2026-12-31T00:00:00+05' },
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'an audit search from a leap second',
    listener: 'public',
    as: 'officer',
    path: '/v1/audit/events?from=2026-12-31T23:59:60Z',
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'an audit search to 30 February',
    listener: 'public',
    as: 'officer',
    path: '/v1/audit/events?to=2026-02-30',
    status: 400,
    code: 'invalid-request',
  },
  // Asset names that an object literal would have found on Object.prototype.
  { name: 'the __proto__ asset', listener: 'public', path: '/docs/assets/__proto__', status: 404, code: 'not-found' },
  {
    name: 'the constructor asset',
    listener: 'public',
    path: '/docs/assets/constructor',
    status: 404,
    code: 'not-found',
  },
  { name: 'the toString asset', listener: 'public', path: '/docs/assets/toString', status: 404, code: 'not-found' },
  {
    name: 'the hasOwnProperty asset',
    listener: 'public',
    path: '/docs/assets/hasOwnProperty',
    status: 404,
    code: 'not-found',
  },
];

describe('Bad encodings and impossible dates answer 4xx problems, never 500', () => {
  let gateway: TestGateway;
  let mess: Agent;
  const tokens: Record<'citizen' | 'officer', string> = { citizen: '', officer: '' };

  const send = async (c: Case): Promise<AgencyResponse> => {
    const headers: Record<string, string> = {};
    const body = c.body === undefined ? undefined : JSON.stringify(c.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (c.listener === 'agency') {
      return call(mess, `${gateway.agencyUrl}${c.path}`, { method: c.method ?? 'GET', headers, body });
    }
    if (c.as !== undefined) Object.assign(headers, bearer(tokens[c.as]));
    return fetchAnswer(`${gateway.publicUrl}${c.path}`, { method: c.method ?? 'GET', headers, body });
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    mess = agencyAgent(gateway.certsDir, 'mess');
    tokens.citizen = await citizenToken('demo-citizen-1');
    tokens.officer = await citizenToken('demo-officer', ['privacy-officer']);
  });

  afterAll(async () => {
    await mess.close();
    await gateway.stop();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const response = await send(c);
    const problem = response.body as { code?: string; correlationId?: string } | undefined;
    expect({ status: response.status, code: problem?.code }).toEqual({ status: c.status, code: c.code });
    expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(response.headers['x-correlation-id']).toBe(problem?.correlationId);
    expect(response.text).not.toMatch(/URIError|RangeError|TypeError|FST_ERR|\bat [\w.<>]+ \(/);
    expect((await fetch(`${gateway.publicUrl}/health/ready`)).status).toBe(200);
  });

  it('logs a malformed query once, at warn, with no stack', async () => {
    const response = await fetch(`${gateway.publicUrl}/health/live?x=%E0%A4%A`);
    expect(response.status).toBe(400);
    const { correlationId } = (await response.json()) as { correlationId: string };
    const lines = gateway.logs.filter((line) => line.correlationId === correlationId);
    expect(lines.filter((line) => line.level >= 40).map((line) => [line.level, line.msg])).toEqual([
      [40, 'request refused'],
    ]);
    expect(gateway.rawLogs.filter((line) => line.includes(correlationId)).join('\n')).not.toMatch(/"stack"|URIError/);
  });

  it('still grants a consent with an ordinary validUntil, and logged no error at all', async () => {
    const granted = await fetch(`${gateway.publicUrl}/v1/me/consents`, {
      method: 'POST',
      headers: { ...bearer(tokens.citizen), 'content-type': 'application/json' },
      body: JSON.stringify({ ...GRANT, validUntil: new Date(Date.now() + 86_400_000).toISOString() }),
    });
    expect(granted.status).toBe(201);
    expect((await fetch(`${gateway.publicUrl}/docs/assets/swagger-ui.css`)).status).toBe(200);
    expect(gateway.logs.filter((line) => line.level >= 50)).toEqual([]);
  });
});
