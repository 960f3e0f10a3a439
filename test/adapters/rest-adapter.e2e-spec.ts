import { get } from 'node:http';
import { RestAdapter } from '../../src/adapters/rest/rest.adapter';
import { startSaaqRestSimulator } from '../../src/adapters/rest/saaq-rest-simulator';
import { SAAQ_RECORDS } from '../../src/adapters/simulators/demo-records';
import type { RunningSimulator } from '../../src/adapters/simulators/running-simulator';
import { DEFAULT_SOURCE_LIMITS } from '../../src/adapters/source-adapter';
import { startHttpStub, type HttpStub } from '../support/http-stub';
import { CORRELATION_ID, fetchContext as context, sourceFailure as failureOf } from '../support/source-fetch';

const SETTINGS = { path: '/v1/permis/{localId}/adresse' };
const LICENCE = 'T6512-140399-01';

describe('RestAdapter against the SAAQ REST simulator, over an undici keep-alive pool', () => {
  let simulator: RunningSimulator;
  let adapter: RestAdapter;

  beforeAll(async () => {
    simulator = await startSaaqRestSimulator();
    adapter = new RestAdapter(SETTINGS, simulator.url, DEFAULT_SOURCE_LIMITS);
  });

  afterEach(() => simulator.faults.reset());

  afterAll(async () => {
    await adapter.close();
    await simulator.close();
  });

  it.each(SAAQ_RECORDS.map((record) => [record.numeroPermis, record] as const))(
    'returns the address of licence %s as the SAAQ sent it',
    async (licence, record) => {
      await expect(adapter.fetch(licence, context())).resolves.toEqual(record);
    },
  );

  it('answers null for a licence the SAAQ does not know', async () => {
    await expect(adapter.fetch('Z9999-010100-01', context())).resolves.toBeNull();
  });

  it.each([`../${LICENCE}`, `x/../${LICENCE}`, `${LICENCE}/../${LICENCE}`, `${LICENCE}?x=1`, `%2e%2e%2f${LICENCE}`])(
    'finds nothing for %j: the id cannot climb out of its path segment',
    async (localId) => {
      await expect(adapter.fetch(localId, context())).resolves.toBeNull();
    },
  );

  it('would serve a record to a path that climbs out of its segment, were one sent', async () => {
    // The control for the test above: the simulator resolves dot segments, so an unencoded id would be found.
    // node:http sends the path as written, dot segments included.
    const path = `/v1/permis/x/../${LICENCE}/adresse`;
    const { status, body } = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port: new URL(simulator.url).port, path, agent: false }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: text }));
      }).on('error', reject);
    });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual(SAAQ_RECORDS[0]);
  });

  it('gives up at the deadline when the API is slow', async () => {
    simulator.faults.set({ latencyMs: 500 });
    expect((await failureOf(adapter.fetch(LICENCE, context(100)), LICENCE)).failure).toBe('timeout');
  });

  it('maps an HTTP 500 to bad-response, not retryable', async () => {
    simulator.faults.set({ errorRate: 1 });
    const error = await failureOf(adapter.fetch(LICENCE, context()), LICENCE);
    expect(error.failure).toBe('bad-response');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('Erreur interne');
  });

  it('refuses each kind of garbage: truncated JSON, random bytes, and nesting past the cap', async () => {
    simulator.faults.set({ garbageRate: 1 });
    const reasons: string[] = [];
    for (let i = 0; i < 3; i++) {
      const error = await failureOf(adapter.fetch(LICENCE, context()), LICENCE);
      expect(error.failure).toBe('bad-response');
      reasons.push(error.reason);
    }
    expect(reasons).toEqual(
      expect.arrayContaining([
        'answer is not valid JSON',
        `answer nests deeper than ${DEFAULT_SOURCE_LIMITS.maxJsonDepth}`,
      ]),
    );
  });

  it('reports a reset connection as unavailable and retryable', async () => {
    simulator.faults.set({ resetRate: 1 });
    const error = await failureOf(adapter.fetch(LICENCE, context()), LICENCE);
    expect(error.failure).toBe('unavailable');
    expect(error.retryable).toBe(true);
  });

  it('reports a refused connection as unavailable and retryable', async () => {
    const gone = await startSaaqRestSimulator();
    await gone.close();
    const orphan = new RestAdapter(SETTINGS, gone.url, DEFAULT_SOURCE_LIMITS);
    try {
      const error = await failureOf(orphan.fetch(LICENCE, context()), LICENCE);
      expect(error.failure).toBe('unavailable');
      expect(error.retryable).toBe(true);
    } finally {
      await orphan.close();
    }
  });

  it('refuses an answer larger than the size limit', async () => {
    const small = new RestAdapter(SETTINGS, simulator.url, { ...DEFAULT_SOURCE_LIMITS, maxResponseBytes: 64 });
    try {
      const error = await failureOf(small.fetch(LICENCE, context()), LICENCE);
      expect(error.failure).toBe('bad-response');
      expect(error.reason).toMatch(/exceeds the limit/);
    } finally {
      await small.close();
    }
  });

  it('ends a fetch in flight when closed', async () => {
    simulator.faults.set({ latencyMs: 1000 });
    const closing = new RestAdapter(SETTINGS, simulator.url, DEFAULT_SOURCE_LIMITS);
    const fetching = closing.fetch(LICENCE, context());
    await closing.close();
    await failureOf(fetching, LICENCE);
  });

  it('reuses its keep-alive connections', async () => {
    const stub = await startHttpStub((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"municipalite":"Québec"}');
    });
    const pooled = new RestAdapter(SETTINGS, stub.url, DEFAULT_SOURCE_LIMITS);
    try {
      for (let i = 0; i < 20; i++) await pooled.fetch(LICENCE, context());
      expect(stub.requests).toHaveLength(20);
      // Sequential calls: the pool may open a second socket while the first is being released, never one per call.
      expect(stub.connections).toBeLessThanOrEqual(2);
    } finally {
      await pooled.close();
      await stub.close();
    }
  });
});

describe('RestAdapter against misbehaving HTTP servers', () => {
  let stub: HttpStub;
  /** Where a redirect points: it answers like the real API, and must never be asked. */
  let target: HttpStub;
  let adapter: RestAdapter;
  let answer: { status: number; headers: Record<string, string>; body: string };

  beforeAll(async () => {
    stub = await startHttpStub((_request, response) => {
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
    target = await startHttpStub((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(SAAQ_RECORDS[0]));
    });
    adapter = new RestAdapter(SETTINGS, stub.url, DEFAULT_SOURCE_LIMITS);
  });

  beforeEach(() => {
    stub.requests.length = 0;
    answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"municipalite":"Québec"}' };
  });

  afterAll(async () => {
    await adapter.close();
    await stub.close();
    await target.close();
  });

  it('sends the correlation id and asks for JSON', async () => {
    await expect(adapter.fetch(LICENCE, context())).resolves.toEqual({ municipalite: 'Québec' });
    expect(stub.requests[0].headers['x-correlation-id']).toBe(CORRELATION_ID);
    expect(stub.requests[0].headers.accept).toBe('application/json');
    expect(stub.requests[0].url).toBe(`/v1/permis/${LICENCE}/adresse`);
  });

  it.each(['../../admin', '%2e%2e%2f', 'a/b?c=d#e', 'x\r\ny: z', '...', '.x'])(
    'keeps the local id %j inside its path segment',
    async (localId) => {
      answer = { status: 404, headers: {}, body: '' };
      await expect(adapter.fetch(localId, context())).resolves.toBeNull();
      const { url } = stub.requests[0];
      expect(url).toMatch(/^\/v1\/permis\/[^/?#]+\/adresse$/);
      expect(url).not.toContain('/../');
      // A server that resolves the path as a URL (as the simulator does) must still see one segment.
      expect(new URL(url, 'http://source').pathname).toBe(url);
      expect(decodeURIComponent(url.slice('/v1/permis/'.length, -'/adresse'.length))).toBe(localId);
    },
  );

  it.each([301, 302, 303, 307, 308])('does not follow a redirect %i, not even to the real API', async (status) => {
    answer = { status, headers: { location: `${target.url}/v1/permis/${LICENCE}/adresse` }, body: '' };
    target.requests.length = 0;
    const error = await failureOf(adapter.fetch(LICENCE, context()), LICENCE);
    expect(error.failure).toBe('bad-response');
    expect(error.reason).toBe(`redirect ${status} not followed`);
    expect(stub.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });

  it.each([502, 503, 504])('maps HTTP %i to unavailable, not retried by the adapter', async (status) => {
    answer = { status, headers: {}, body: 'upstream says: secret detail' };
    const error = await failureOf(adapter.fetch(LICENCE, context()), LICENCE);
    expect(error.failure).toBe('unavailable');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('secret');
  });

  it.each([
    ['a JSON array', 'application/json', '[1,2]'],
    ['JSON null', 'application/json', 'null'],
    ['HTML', 'text/html', '<html>{"municipalite":"x"}</html>'],
    ['no content type', '', '{"municipalite":"x"}'],
  ])('refuses %s', async (_what, type, body) => {
    answer = { status: 200, headers: type === '' ? {} : { 'content-type': type }, body };
    expect((await failureOf(adapter.fetch(LICENCE, context()), LICENCE)).failure).toBe('bad-response');
  });

  it('accepts a vendor JSON media type', async () => {
    answer = { status: 200, headers: { 'content-type': 'application/vnd.saaq+json; charset=utf-8' }, body: '{"a":1}' };
    await expect(adapter.fetch(LICENCE, context())).resolves.toEqual({ a: 1 });
  });

  it('refuses an HTTP 401 as bad-response', async () => {
    answer = { status: 401, headers: {}, body: '' };
    expect((await failureOf(adapter.fetch(LICENCE, context()), LICENCE)).failure).toBe('bad-response');
  });

  it.each(['\uD800', '.', '..'])('refuses the local id %j, which cannot be sent, without calling', async (localId) => {
    const error = await failureOf(adapter.fetch(localId, context()), localId);
    expect(error.failure).toBe('bad-response');
    expect(error.reason).toBe('local id cannot be sent');
    expect(stub.requests).toHaveLength(0);
  });

  it('ends a fetch in flight when closed, and refuses fetches after', async () => {
    const closing = new RestAdapter(SETTINGS, stub.url, DEFAULT_SOURCE_LIMITS);
    const fetching = closing.fetch(LICENCE, context());
    await closing.close();
    await failureOf(fetching, LICENCE);
    const asked = stub.requests.length;
    await failureOf(closing.fetch(LICENCE, context()), LICENCE);
    expect(stub.requests).toHaveLength(asked);
  });
});
