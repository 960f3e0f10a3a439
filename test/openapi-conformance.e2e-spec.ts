/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   answers are read as the JSON they are; the reference checks their shape. */
import type { Agent } from 'undici';
import { agencyAgent, call } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { observed, OpenApiConformance } from './support/openapi-conformance';
import { startTestGateway, type TestGateway } from './support/test-gateway';

type Json = Record<string, any>;

interface Answer {
  status: number;
  body: Json;
  headers: Record<string, string | string[] | undefined>;
}

/** A query string with a malformed escape: every route refuses it with 400 before its own logic. */
const MALFORMED_QUERY = '?q=%zz';

/**
 * Every JSON operation of the reference, called on the real gateway (mutual
 * TLS, bearer tokens, PostgreSQL, the simulators) once with success and once
 * with a typical error; each answer is checked against the document.
 */
describe('Real answers conform to the OpenAPI reference', () => {
  let gateway: TestGateway;
  let check: OpenApiConformance;
  const agents: Record<string, Agent> = {};

  const agency = async (
    who: string | null,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const agent = (agents[who ?? 'none'] ??= agencyAgent(gateway.certsDir, who));
    const response = await call(agent, `${gateway.agencyUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    check.expectConforms({
      method,
      url: path,
      status: response.status,
      headers: response.headers,
      text: response.text,
    });
    return { status: response.status, body: response.body as Json, headers: response.headers };
  };

  const publicCall = async (
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) Object.assign(headers, bearer(options.token));
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${gateway.publicUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const answer = await observed(method, path, response);
    check.expectConforms(answer);
    let body: Json = {};
    try {
      body = JSON.parse(answer.text) as Json;
    } catch {
      // Not JSON: a page, a CSV, a receipt.
    }
    return { status: answer.status, body, headers: answer.headers };
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    check = await OpenApiConformance.fetch(gateway.publicUrl);
  });

  afterAll(async () => {
    await Promise.all(Object.values(agents).map((agent) => agent.close()));
    await gateway.stop();
  });

  it('the agency’s identity and catalogue', async () => {
    expect((await agency('afe', 'GET', '/v1/whoami')).body.organisation).toBe('afe');
    expect((await agency(null, 'GET', '/v1/whoami')).body.code).toBe('client-certificate-required');
    expect((await agency('unregistered', 'GET', '/v1/catalogue')).body.code).toBe('client-not-registered');
    expect((await agency('mess', 'GET', '/v1/catalogue')).body.products.length).toBeGreaterThan(0);
    expect((await agency('mess', 'GET', '/v1/catalogue/saaq.adresse/versions/1')).body.schema).toBeDefined();
    expect((await agency('afe', 'GET', '/v1/catalogue/saaq.adresse/versions/1')).status).toBe(404);
  });

  it('an exchange: released and signed, or refused', async () => {
    const citizen = await citizenToken('demo-citizen-2');
    const grant = { requester: 'mess', purpose: 'mess.aide-sociale', products: ['saaq.adresse'] };
    expect((await publicCall('POST', '/v1/me/consents', { token: citizen, body: grant })).status).toBe(201);
    const ask = { product: 'saaq.adresse', version: 1, purpose: 'mess.aide-sociale' };
    const released = await agency('mess', 'POST', '/v1/exchanges', {
      ...ask,
      citizen: citizenIdOf('mess', 'demo-citizen-2'),
    });
    expect(released.status).toBe(200);
    expect(released.headers['x-jws-signature']).toBeDefined();
    const refused = await agency('mess', 'POST', '/v1/exchanges', {
      ...ask,
      citizen: citizenIdOf('mess', 'demo-citizen-3'),
    });
    expect(refused.body.code).toBe('consent-required');
    expect((await agency('mess', 'POST', '/v1/exchanges', { ...ask, version: 'one' })).status).toBe(400);
    expect((await agency('mess', 'POST', '/v1/exchanges', '{"product": ')).status).toBe(400);
    const form = await agency('mess', 'POST', '/v1/exchanges', 'a=b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
  });

  it('consent requests, approved and rejected by the citizen', async () => {
    const ask = { purpose: 'afe.calcul-aide', products: ['revenu.avis-cotisation'] };
    const key = { 'idempotency-key': 'conformance-1' };
    const created = await agency(
      'afe',
      'POST',
      '/v1/consent-requests',
      { ...ask, citizen: citizenIdOf('afe', 'demo-citizen-4') },
      key,
    );
    expect(created.status).toBe(201);
    expect((await agency('afe', 'GET', `/v1/consent-requests/${created.body.id}`)).body.status).toBe('pending');
    expect((await agency('mess', 'GET', `/v1/consent-requests/${created.body.id}`)).status).toBe(404);
    expect((await agency('afe', 'POST', '/v1/consent-requests', { ...ask })).status).toBe(400);
    const other = await agency(
      'afe',
      'POST',
      '/v1/consent-requests',
      { ...ask, citizen: citizenIdOf('afe', 'demo-citizen-4'), message: 'x' },
      key,
    );
    expect(other.body.code).toBe('idempotency-key-reused');
    const second = await agency('afe', 'POST', '/v1/consent-requests', {
      ...ask,
      citizen: citizenIdOf('afe', 'demo-citizen-4'),
    });

    const token = await citizenToken('demo-citizen-4');
    const pending = await publicCall('GET', '/v1/me/consent-requests', { token });
    expect(pending.body.requests.map((r: Json) => r.id)).toContain(created.body.id);
    expect((await publicCall('GET', '/v1/me/consent-requests', { token: 'not-a-token' })).status).toBe(401);
    const approve = `/v1/me/consent-requests/${created.body.id}/approve`;
    expect((await publicCall('POST', approve, { token, body: { keepUpToDate: 'yes' } })).status).toBe(400);
    expect((await publicCall('POST', approve, { token, body: { keepUpToDate: true } })).body.consent.status).toBe(
      'active',
    );
    expect((await publicCall('POST', approve, { token })).body.code).toBe('request-already-decided');
    const reject = `/v1/me/consent-requests/${second.body.id}/reject`;
    expect((await publicCall('POST', reject, { token })).body.request.status).toBe('rejected');
    expect((await publicCall('POST', reject, { token })).status).toBe(409);
  });

  it('the citizen’s consents, receipt and access log', async () => {
    const token = await citizenToken('demo-citizen-1');
    expect((await publicCall('GET', '/v1/me', { token })).body.subject).toBe('demo-citizen-1');
    expect((await publicCall('GET', '/v1/me')).status).toBe(401);
    const grant = { requester: 'afe', purpose: 'afe.calcul-aide', products: ['etat-civil.naissance'] };
    const consent = (await publicCall('POST', '/v1/me/consents', { token, body: grant })).body;
    expect((await publicCall('POST', '/v1/me/consents', { token, body: { ...grant, requester: 'mess' } })).status).toBe(
      422,
    );
    expect((await publicCall('POST', '/v1/me/consents', { token, body: { purpose: 'x' } })).status).toBe(400);
    expect((await publicCall('GET', '/v1/me/consents', { token })).body.consents.length).toBeGreaterThan(0);
    expect((await publicCall('GET', '/v1/me/consents', { token: 'x' })).status).toBe(401);
    expect((await publicCall('GET', `/v1/me/consents/${consent.id}`, { token })).body.id).toBe(consent.id);
    const stranger = await citizenToken('demo-citizen-3');
    expect((await publicCall('GET', `/v1/me/consents/${consent.id}`, { token: stranger })).status).toBe(404);
    expect((await publicCall('GET', `/v1/me/consents/${consent.id}/receipt`, { token })).status).toBe(200);
    expect((await publicCall('GET', `/v1/me/consents/${consent.id}/receipt`, { token: stranger })).status).toBe(404);
    expect((await publicCall('POST', `/v1/me/consents/${consent.id}/revoke`, { token })).body.status).toBe('revoked');
    expect((await publicCall('POST', `/v1/me/consents/${consent.id}/revoke`, { token })).body.code).toBe(
      'consent-not-active',
    );
    expect((await publicCall('GET', '/v1/me/access-log', { token })).body.entries).toBeDefined();
    expect((await publicCall('GET', '/v1/me/access-log?before=x', { token })).status).toBe(400);
  });

  it('subscriptions, changes and the webhook', async () => {
    const follow = { purpose: 'mess.aide-sociale' };
    expect((await agency('mess', 'PUT', '/v1/subscriptions/saaq.adresse', follow)).status).toBe(201);
    expect((await agency('mess', 'PUT', '/v1/subscriptions/saaq.adresse', follow)).status).toBe(200);
    expect((await agency('mess', 'PUT', '/v1/subscriptions/ramq.admissibilite', follow)).status).toBe(403);
    expect((await agency('mess', 'GET', '/v1/subscriptions')).body.subscriptions).toHaveLength(1);
    expect((await agency('mess', 'GET', `/v1/subscriptions${MALFORMED_QUERY}`)).status).toBe(400);
    expect((await agency('mess', 'DELETE', '/v1/subscriptions/saaq.adresse?purpose=mess.aide-sociale')).status).toBe(
      204,
    );
    expect((await agency('mess', 'DELETE', '/v1/subscriptions/saaq.adresse?purpose=mess.aide-sociale')).status).toBe(
      404,
    );

    const change = {
      product: 'saaq.adresse',
      citizen: citizenIdOf('saaq', 'demo-citizen-2'),
      changedAt: new Date().toISOString(),
    };
    expect((await agency('saaq', 'POST', '/v1/changes', change)).body.changeId).toBeDefined();
    expect((await agency('saaq', 'POST', '/v1/changes', { changes: [change, change] })).body.changeIds).toHaveLength(2);
    expect((await agency('mess', 'POST', '/v1/changes', change)).body.code).toBe('forbidden');

    expect((await agency('afe', 'GET', '/v1/webhook')).status).toBe(404);
    expect((await agency('afe', 'PUT', '/v1/webhook', { url: 'https://hooks.afe.example/passerelle' })).status).toBe(
      200,
    );
    expect((await agency('afe', 'PUT', '/v1/webhook', { url: 'not a url' })).status).toBe(400);
    expect((await agency('afe', 'GET', '/v1/webhook')).body.url).toBe('https://hooks.afe.example/passerelle');
    expect((await agency('afe', 'DELETE', '/v1/webhook')).status).toBe(204);
    expect((await agency('afe', 'DELETE', `/v1/webhook${MALFORMED_QUERY}`)).status).toBe(400);
  });

  it('the privacy officer’s routes', async () => {
    const officer = await citizenToken('demo-officer', ['privacy-officer']);
    const citizen = await citizenToken('demo-citizen-1');
    expect(
      (await publicCall('GET', '/v1/audit/events?limit=5', { token: officer })).body.events.length,
    ).toBeGreaterThan(0);
    expect((await publicCall('GET', '/v1/audit/events?limit=x', { token: officer })).status).toBe(400);
    expect((await publicCall('GET', '/v1/audit/events', { token: citizen })).body.code).toBe('forbidden');
    expect((await publicCall('GET', '/v1/audit/events/export?org=mess', { token: officer })).status).toBe(200);
    expect((await publicCall('GET', '/v1/audit/events/export?format=xml', { token: officer })).status).toBe(400);
    expect((await publicCall('GET', '/v1/audit/integrity', { token: officer })).body.ok).toBe(true);
    expect((await publicCall('GET', '/v1/audit/integrity', { token: citizen })).status).toBe(403);
  });

  it('the public routes: health, keys, the reference itself', async () => {
    for (const path of ['/health/live', '/health/ready', '/.well-known/jwks.json', '/openapi.json', '/docs']) {
      expect((await publicCall('GET', path)).status).toBe(200);
      expect((await publicCall('GET', `${path}${MALFORMED_QUERY}`)).status).toBe(400);
    }
    expect((await publicCall('GET', '/docs/assets/init.js')).status).toBe(200);
    expect((await publicCall('GET', '/docs/assets/swagger-ui.css')).status).toBe(200);
    expect((await publicCall('GET', '/docs/assets/constructor')).status).toBe(404);
  });

  it('exercised every JSON operation of the reference with a success and an error', () => {
    const missing = check.jsonOperations().filter((operation) => {
      const statuses = [...check.seen]
        .filter((seen) => seen.startsWith(`${operation} `))
        .map((seen) => seen.split(' ').pop());
      return !statuses.some((status) => status?.startsWith('2')) || !statuses.some((status) => Number(status) >= 400);
    });
    expect(missing).toEqual([]);
  });
});
