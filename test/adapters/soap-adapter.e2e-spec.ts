import { DEC_SERVICE, startDecSoapSimulator } from '../../src/adapters/soap/dec-soap-simulator';
import { SoapAdapter } from '../../src/adapters/soap/soap.adapter';
import { SOAP_ENV_NS } from '../../src/adapters/soap/soap-envelope';
import { DEC_RECORDS } from '../../src/adapters/simulators/demo-records';
import type { RunningSimulator } from '../../src/adapters/simulators/running-simulator';
import { DEFAULT_SOURCE_LIMITS } from '../../src/adapters/source-adapter';
import { startHttpStub, type HttpStub } from '../support/http-stub';
import { CORRELATION_ID, fetchContext as context, sourceFailure as failureOf } from '../support/source-fetch';

const REGISTRATION = '1999-0314-QC-004521';

function envelope(body: string): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Body>${body}</s:Body></s:Envelope>`;
}

describe('SoapAdapter against the DEC SOAP 1.1 simulator', () => {
  let simulator: RunningSimulator;
  let adapter: SoapAdapter;

  beforeAll(async () => {
    simulator = await startDecSoapSimulator();
    adapter = new SoapAdapter(DEC_SERVICE, simulator.url, DEFAULT_SOURCE_LIMITS);
  });

  afterEach(() => simulator.faults.reset());

  afterAll(async () => {
    await adapter.close();
    await simulator.close();
  });

  it('returns the birth record of 1999-0314-QC-004521 field for field, as strings', async () => {
    const record = await adapter.fetch(REGISTRATION, context());
    expect(record).toEqual({
      NumeroInscription: '1999-0314-QC-004521',
      NomFamille: 'Tremblay',
      Prenoms: 'Émilie Rose',
      DateNaissance: '1999-03-14',
      LieuNaissance: 'Québec',
      Sexe: 'F',
    });
    expect(Object.values(record ?? {}).every((value) => typeof value === 'string')).toBe(true);
  });

  it.each(DEC_RECORDS.map((record) => [record.NumeroInscription, record] as const))(
    'returns birth record %s, every value a string, accents intact',
    async (registration, record) => {
      await expect(adapter.fetch(registration, context())).resolves.toEqual(record);
    },
  );

  it('answers null for an unknown registration number (Client fault with ActeIntrouvable detail)', async () => {
    await expect(adapter.fetch('2000-0101-QC-000000', context())).resolves.toBeNull();
  });

  it('escapes XML metacharacters in the id: the service reads them as text and finds nothing', async () => {
    await expect(adapter.fetch(`<x>&"'</NumeroInscription>`, context())).resolves.toBeNull();
  });

  it('gives up at the deadline when the service is slow', async () => {
    simulator.faults.set({ latencyMs: 500 });
    expect((await failureOf(adapter.fetch(REGISTRATION, context(100)), REGISTRATION)).failure).toBe('timeout');
  });

  it('maps a Server fault to bad-response, without its text', async () => {
    simulator.faults.set({ errorRate: 1 });
    const error = await failureOf(adapter.fetch(REGISTRATION, context()), REGISTRATION);
    expect(error.failure).toBe('bad-response');
    expect(error.reason).toBe('SOAP fault Server');
    expect(error.message).not.toContain('Erreur');
  });

  it('refuses each kind of garbage: a cut envelope, random bytes, and a DOCTYPE with an entity', async () => {
    simulator.faults.set({ garbageRate: 1 });
    const reasons: string[] = [];
    for (let i = 0; i < 3; i++) {
      const error = await failureOf(adapter.fetch(REGISTRATION, context()), REGISTRATION);
      expect(error.failure).toBe('bad-response');
      reasons.push(error.reason);
    }
    expect(reasons.filter((reason) => reason.includes('not well-formed XML'))).toHaveLength(2);
    expect(reasons).toContain('HTTP 200: a DOCTYPE is not accepted');
  });

  it('reports a reset connection as unavailable and retryable', async () => {
    simulator.faults.set({ resetRate: 1 });
    const error = await failureOf(adapter.fetch(REGISTRATION, context()), REGISTRATION);
    expect(error.failure).toBe('unavailable');
    expect(error.retryable).toBe(true);
  });

  it('ends a fetch in flight when closed', async () => {
    simulator.faults.set({ latencyMs: 1000 });
    const closing = new SoapAdapter(DEC_SERVICE, simulator.url, DEFAULT_SOURCE_LIMITS);
    const fetching = closing.fetch(REGISTRATION, context());
    await closing.close();
    await failureOf(fetching, REGISTRATION);
  });

  it('reports a refused connection as unavailable and retryable', async () => {
    const gone = await startDecSoapSimulator();
    await gone.close();
    const orphan = new SoapAdapter(DEC_SERVICE, gone.url, DEFAULT_SOURCE_LIMITS);
    try {
      const error = await failureOf(orphan.fetch(REGISTRATION, context()), REGISTRATION);
      expect(error.failure).toBe('unavailable');
      expect(error.retryable).toBe(true);
    } finally {
      await orphan.close();
    }
  });

  it('refuses an answer larger than the size limit', async () => {
    const small = new SoapAdapter(DEC_SERVICE, simulator.url, { ...DEFAULT_SOURCE_LIMITS, maxResponseBytes: 200 });
    try {
      const error = await failureOf(small.fetch(REGISTRATION, context()), REGISTRATION);
      expect(error.failure).toBe('bad-response');
      expect(error.reason).toMatch(/exceeds the limit/);
    } finally {
      await small.close();
    }
  });
});

describe('SoapAdapter against misbehaving SOAP servers', () => {
  let stub: HttpStub;
  /** Where a redirect points: it answers like the real service, and must never be asked. */
  let target: HttpStub;
  let adapter: SoapAdapter;
  let answer: { status: number; headers: Record<string, string>; body: string };
  const record = DEC_RECORDS[0];
  const recordXml = Object.entries(record)
    .map(([name, value]) => `<d:${name}>${value}</d:${name}>`)
    .join('');
  const found = envelope(
    `<d:ObtenirActeNaissanceResponse xmlns:d="${DEC_SERVICE.namespace}"><d:ActeNaissance>${recordXml}</d:ActeNaissance></d:ObtenirActeNaissanceResponse>`,
  );

  beforeAll(async () => {
    stub = await startHttpStub((_request, response) => {
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
    target = await startHttpStub((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(found);
    });
    adapter = new SoapAdapter(DEC_SERVICE, stub.url, DEFAULT_SOURCE_LIMITS);
  });

  beforeEach(() => {
    stub.requests.length = 0;
    answer = { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: found };
  });

  afterAll(async () => {
    await adapter.close();
    await stub.close();
    await target.close();
  });

  it('posts a SOAP 1.1 request with its SOAPAction and the correlation id', async () => {
    await expect(adapter.fetch(REGISTRATION, context())).resolves.toEqual(record);
    const [request] = stub.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(DEC_SERVICE.path);
    expect(request.headers.soapaction).toBe(`"${DEC_SERVICE.soapAction}"`);
    expect(request.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(request.headers['x-correlation-id']).toBe(CORRELATION_ID);
    expect(request.body).toContain(`<m:NumeroInscription>${REGISTRATION}</m:NumeroInscription>`);
  });

  it('sends metacharacters escaped', async () => {
    await adapter.fetch('a<b>&c', context());
    expect(stub.requests[0].body).toContain('<m:NumeroInscription>a&lt;b&gt;&amp;c</m:NumeroInscription>');
  });

  it.each(['id\u0001', 'id\uD800', 'id\uFFFE'])(
    'refuses the id %j, which XML cannot carry, without calling',
    async (localId) => {
      const error = await failureOf(adapter.fetch(localId, context()), localId);
      expect(error.failure).toBe('bad-response');
      expect(error.reason).toBe('local id cannot be sent');
      expect(stub.requests).toHaveLength(0);
    },
  );

  it('refuses fetches once closed, without calling', async () => {
    const closed = new SoapAdapter(DEC_SERVICE, stub.url, DEFAULT_SOURCE_LIMITS);
    await closed.close();
    await failureOf(closed.fetch(REGISTRATION, context()), REGISTRATION);
    expect(stub.requests).toHaveLength(0);
  });

  it('keeps legacy codes as strings: 0042 stays 0042', async () => {
    answer.body = envelope(`<ActeNaissance><Code>0042</Code><Vide/></ActeNaissance>`);
    await expect(adapter.fetch(REGISTRATION, context())).resolves.toEqual({ Code: '0042', Vide: '' });
  });

  it('refuses XML nested past the cap', async () => {
    answer.body = envelope(`<ActeNaissance>${'<a>'.repeat(200)}x${'</a>'.repeat(200)}</ActeNaissance>`);
    const error = await failureOf(adapter.fetch(REGISTRATION, context()), REGISTRATION);
    expect(error.failure).toBe('bad-response');
    expect(error.reason).toMatch(/nested/i);
  });

  it('accepts the same shape nested under the cap', async () => {
    answer.body = envelope(`<ActeNaissance>${'<a>'.repeat(20)}x${'</a>'.repeat(20)}</ActeNaissance>`);
    const record = await adapter.fetch(REGISTRATION, context());
    let node: unknown = record;
    for (let i = 0; i < 20; i++) node = (node as Record<string, unknown>).a;
    expect(node).toBe('x');
  });

  it('refuses an answer without the result element, or that is not an envelope', async () => {
    answer.body = envelope('<Autre>rien</Autre>');
    expect((await failureOf(adapter.fetch(REGISTRATION, context()), REGISTRATION)).reason).toBe(
      'no ActeNaissance element in the answer',
    );
    answer.body = '<ActeNaissance><NomFamille>x</NomFamille></ActeNaissance>';
    expect((await failureOf(adapter.fetch(REGISTRATION, context()), REGISTRATION)).reason).toMatch(
      /not a SOAP envelope/,
    );
  });

  it('maps a fault named by its code to not found too', async () => {
    answer = {
      status: 500,
      headers: { 'content-type': 'text/xml' },
      body: envelope('<s:Fault><faultcode>s:ActeIntrouvable</faultcode><faultstring>non</faultstring></s:Fault>'),
    };
    await expect(adapter.fetch(REGISTRATION, context())).resolves.toBeNull();
  });

  it.each([301, 302, 303, 307, 308])('does not follow a redirect %i, not even to the real service', async (status) => {
    answer = { status, headers: { location: `${target.url}${DEC_SERVICE.path}` }, body: '' };
    target.requests.length = 0;
    const error = await failureOf(adapter.fetch(REGISTRATION, context()), REGISTRATION);
    expect(error.failure).toBe('bad-response');
    expect(error.reason).toBe(`redirect ${status} not followed`);
    expect(stub.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });

  it.each([
    [503, 'unavailable'],
    [502, 'unavailable'],
    [500, 'bad-response'],
    [404, 'bad-response'],
  ])('maps HTTP %i without a fault to %s', async (status, failure) => {
    answer = { status, headers: { 'content-type': 'text/html' }, body: '<html>proxy says: secret</html>' };
    const error = await failureOf(adapter.fetch(REGISTRATION, context()), REGISTRATION);
    expect(error.failure).toBe(failure);
    expect(error.message).not.toContain('secret');
  });

  it('reuses its keep-alive connections', async () => {
    const before = stub.connections;
    for (let i = 0; i < 20; i++) await adapter.fetch(REGISTRATION, context());
    expect(stub.requests).toHaveLength(20);
    expect(stub.connections - before).toBeLessThanOrEqual(2);
  });
});
