import { Client } from 'pg';
import type { Agent } from 'undici';
import { agencyAgent, call } from './support/agency-client';
import { testEnv } from './setup/test-env';
import { citizenIdOf } from './support/citizen-ids';
import { eventually, startTestGateway, type LogLine, type TestGateway } from './support/test-gateway';

const PROBLEM_MEMBERS = ['type', 'title', 'status', 'code', 'correlationId'];

function expectProblem(body: unknown, status: number, code: string): void {
  expect(body).toMatchObject({ status, code });
  for (const member of PROBLEM_MEMBERS) expect(body).toHaveProperty(member);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(js|ts):\d+|stack|SELECT|INSERT/i);
}

describe('public routes', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway();
  });

  afterAll(async () => {
    await t.stop();
  });

  it('answers liveness and readiness', async () => {
    const live = await fetch(`${t.publicUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.publicUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'up' } });
  });

  it('publishes the ES256 signing key, public half only', async () => {
    const response = await fetch(`${t.publicUrl}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0].kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('exposes Prometheus metrics on the operations listener only, including request durations', async () => {
    await fetch(`${t.publicUrl}/health/live`);
    const response = await fetch(`${t.metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('passerelle_http_request_duration_seconds_bucket');
    expect(text).toMatch(/route="\/health\/live"/);
    expect(text).toContain('process_resident_memory_bytes');

    // Citizens cannot read the gateway's metrics; the public listener does not know the route.
    const open = await fetch(`${t.publicUrl}/metrics`);
    expect(open.status).toBe(404);
    expect(open.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await open.text()).not.toContain('process_resident_memory_bytes');
    // And the operations listener serves nothing else.
    for (const [method, path] of [
      ['GET', '/health/ready'],
      ['GET', '/'],
      ['POST', '/metrics'],
    ]) {
      const other = await fetch(`${t.metricsUrl}${path}`, { method });
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).toBe('application/problem+json');
      expect(await other.json()).toMatchObject({ code: 'not-found', status: 404 });
    }
  });

  it('serves the OpenAPI document and its docs page', async () => {
    const spec = (await (await fetch(`${t.publicUrl}/openapi.json`)).json()) as { openapi: string; paths: object };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/whoami', '/v1/exchanges', '/health/ready']));
    const docs = await fetch(`${t.publicUrl}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    const bundle = await fetch(`${t.publicUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
  });
});

describe('errors are problem+json', () => {
  let t: TestGateway;
  let afe: Agent;
  const exchanges = (): string => `${t.agencyUrl}/v1/exchanges`;
  const valid = {
    product: 'saaq.adresse',
    version: 1,
    purpose: 'mess.aide-sociale',
    citizen: citizenIdOf('afe', 'demo-citizen-1'),
  };

  beforeAll(async () => {
    t = await startTestGateway();
    afe = agencyAgent(t.certsDir, 'afe');
  });

  afterAll(async () => {
    await afe.close();
    await t.stop();
  });

  it('answers an unknown route with a 404 problem carrying the correlation id', async () => {
    const response = await fetch(`${t.publicUrl}/no/such/route`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = (await response.json()) as Record<string, unknown>;
    expectProblem(body, 404, 'not-found');
    expect(body.correlationId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('x-correlation-id')).toBe(body.correlationId);
  });

  it('sends the correlation id on successful responses too', async () => {
    const response = await fetch(`${t.publicUrl}/health/live`);
    expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const body = JSON.stringify({ ...valid, caseRef: 'x'.repeat(1024 * 1024) });
    const response = await call(afe, exchanges(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    expectProblem(response.body, 413, 'payload-too-large');
  });

  it('refuses a wrong content type with 415', async () => {
    const response = await call(afe, exchanges(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(valid),
    });
    expect(response.status).toBe(415);
    expectProblem(response.body, 415, 'unsupported-media-type');
  });

  it('refuses JSON nested too deep with 400', async () => {
    const body = `{"product":${'['.repeat(100)}${']'.repeat(100)}}`;
    const response = await call(afe, exchanges(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    expectProblem(response.body, 400, 'invalid-request');
    expect((response.body as { detail: string }).detail).toContain('nested deeper');
  });

  it('refuses malformed JSON and prototype pollution with 400, without echoing parser internals', async () => {
    for (const [body, detail] of [
      [
        '{"product": ',
        'The body is not valid JSON at line 1, column 13 (character 12): the body ends before the JSON is complete.',
      ],
      [
        '{"__proto__": {"admin": true}}',
        'A JSON object has a `__proto__` or `constructor.prototype` member, which is refused.',
      ],
    ]) {
      const response = await call(afe, exchanges(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      expectProblem(response.body, 400, 'invalid-request');
      // The gateway's own words, never the parser's (which quote the body and differ between Node versions).
      expect((response.body as { detail: string }).detail).toBe(detail);
    }
  });

  it('validates the exchange request and names the bad fields without echoing values', async () => {
    const body = JSON.stringify({ ...valid, citizen: '<bad id>', version: 'one' });
    const response = await call(afe, exchanges(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    expectProblem(response.body, 400, 'invalid-request');
    const errors = (response.body as { errors: { pointer: string }[] }).errors.map((error) => error.pointer);
    expect(errors).toEqual(expect.arrayContaining(['/citizen', '/version']));
    expect(response.text).not.toContain('<bad id>');
  });

  it('checks the contract, then fails closed at consent while none can be recorded', async () => {
    const post = async (body: object): Promise<Awaited<ReturnType<typeof call>>> =>
      call(afe, exchanges(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...valid, ...body }),
      });
    const unknown = await post({ product: 'revenu.inexistant' });
    expectProblem(unknown.body, 404, 'product-not-found');
    const otherVersion = await post({ product: 'revenu.avis-cotisation', version: 9 });
    expectProblem(otherVersion.body, 404, 'product-not-found');
    // afe may not request addresses at all: answered like a product that does not exist.
    const notForAfe = await post({ product: 'saaq.adresse', purpose: 'afe.calcul-aide' });
    expectProblem(notForAfe.body, 404, 'product-not-found');
    const wrongPurpose = await post({ product: 'revenu.avis-cotisation', purpose: 'mess.aide-sociale' });
    expectProblem(wrongPurpose.body, 403, 'purpose-not-allowed');
    const allowed = await post({ product: 'revenu.avis-cotisation', purpose: 'afe.calcul-aide' });
    expectProblem(allowed.body, 403, 'consent-required');
  });

  it('logs each agency request once, with its correlation id and status', async () => {
    const response = await call(afe, exchanges(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...valid, purpose: 'afe.calcul-aide' }),
    });
    const correlationId = response.headers['x-correlation-id'];
    expect(correlationId).toMatch(/^[0-9a-f]{32}$/);
    const lines = (): LogLine[] =>
      t.logs.filter((line) => (line.req as { id?: string } | undefined)?.id === correlationId);
    await eventually(() => lines().length > 0, 'the access log line');
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({
      msg: 'request completed',
      req: { method: 'POST', url: '/v1/exchanges' },
      res: { statusCode: response.status },
    });
  });

  it('keeps citizen ids and credentials out of the logs', async () => {
    const identifier = citizenIdOf('afe', 'demo-citizen-4');
    await call(afe, exchanges(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer secret-token-value',
        cookie: 'sid=secret-cookie',
      },
      body: JSON.stringify({ ...valid, citizen: identifier }),
    });
    await fetch(`${t.publicUrl}/no/such/route?citizen=demo-citizen-4`, {
      headers: { authorization: 'Bearer secret-token-value' },
    });
    const everything = t.rawLogs.join('\n');
    expect(everything).toContain('/no/such/route?citizen=[Redacted]');
    expect(everything).not.toContain('demo-citizen-4');
    expect(everything).not.toContain(identifier);
    expect(everything).not.toContain('secret-token-value');
    expect(everything).not.toContain('secret-cookie');
  });
});

describe('the connection pool', () => {
  /** The gateway's sessions on its own database, as PostgreSQL lists them. */
  async function sessions(databaseUrl: string): Promise<number> {
    const admin = new Client({ connectionString: testEnv('adminUrl') });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'passerelle'",
        [decodeURIComponent(new URL(databaseUrl).pathname.slice(1))],
      );
      return rows[0].n;
    } finally {
      await admin.end();
    }
  }

  it('has the connections it keeps (DB_POOL_MIN) open before it serves a request', async () => {
    const t = await startTestGateway({ env: { DB_POOL_MIN: '7' } });
    try {
      expect(await sessions(t.databaseUrl)).toBeGreaterThanOrEqual(7);
    } finally {
      await t.stop();
    }
  });
});
