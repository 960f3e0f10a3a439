/**
 * Telemetry as an operator sees it. Tracing patches http, pg and undici as
 * they are loaded, so the traced gateway runs as its own process (as
 * `npm start` runs it) and exports over OTLP/HTTP to a receiver in this test.
 * Metrics are read from /metrics, and the Grafana dashboard in docker/ is
 * held to the metrics the gateway really exports.
 */
import { createServer, type Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Agent } from 'undici';
import { testEnv } from './setup/test-env';
import { agencyAgent, call } from './support/agency-client';
import { startChildGateway } from './support/child-gateway-env';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { stopGateway, type Gateway } from './support/gateway-process';
import { DEMO_CITIZENS } from '../src/adapters/simulators/demo-records';
import { listenOn } from '../src/platform/net/listen';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

const SERVER = 2;
const CLIENT = 3;
const CITIZEN = 'demo-citizen-1';
const WITHOUT_CONSENT = 'demo-citizen-2';

/** An OTLP/HTTP (JSON) trace receiver that keeps every span it is sent. */
async function otlpReceiver(): Promise<{ server: Server; url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
      };
      for (const resource of body.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await listenOn(server, 0, '127.0.0.1');
  return { server, url: `http://127.0.0.1:${port}`, spans };
}

const attribute = (span: OtlpSpan, key: string): unknown =>
  Object.values(span.attributes?.find((a) => a.key === key)?.value ?? {})[0];

describe('Tracing', () => {
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let gateway: Gateway;
  let mess: Agent;
  // The citizen's licence number at the SAAQ, in the REST source's URL: it must not appear in any span.
  const localId = DEMO_CITIZENS.find((c) => c.pivotId === CITIZEN)?.localIds.saaq ?? '';

  beforeAll(async () => {
    receiver = await otlpReceiver();
    gateway = await startChildGateway('telemetry', CITIZEN, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      // Off by default (the steps time them); on here, where each statement's place in the trace is checked.
      TRACE_SQL_STATEMENTS: 'true',
    });
    mess = agencyAgent(testEnv('certsDir'), 'mess');
  }, 90_000);

  afterAll(async () => {
    await mess?.close();
    if (gateway !== undefined) await stopGateway(gateway);
    receiver?.server.close();
  }, 30_000);

  /** mess asks for the address of `pivot`, whom it names by its sector's identifier. */
  const exchange = (pivot: string): ReturnType<typeof call> =>
    call(mess, `https://localhost:${gateway.agencyPort}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        product: 'saaq.adresse',
        version: 1,
        purpose: 'mess.aide-sociale',
        citizen: citizenIdOf('mess', pivot),
      }),
    });

  /** The spans of one trace, once its server span has arrived (bounded wait). */
  async function traceOf(traceId: string): Promise<OtlpSpan[]> {
    for (let i = 0; i < 100; i++) {
      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      if (spans.some((span) => span.kind === SERVER)) return spans;
      await delay(100);
    }
    throw new Error(`no server span for trace ${traceId}`);
  }

  it('traces an exchange under one trace id, which is its correlation id: HTTP in, the fetch step, and pg', async () => {
    const response = await exchange(CITIZEN);
    expect(response.status).toBe(200);
    const correlationId = response.headers['x-correlation-id'] as string;
    expect(correlationId).toMatch(/^[0-9a-f]{32}$/);

    const spans = await traceOf(correlationId);
    const named = (name: string): OtlpSpan[] => spans.filter((span) => span.name === name);
    const server = spans.find((span) => span.kind === SERVER) as OtlpSpan;
    expect(attribute(server, 'url.path')).toBe('/v1/exchanges');
    expect(attribute(server, 'http.response.status_code')).toBe(200);
    // One step has a span, the call to another system; what the exchange is about, and how it ended, are named on
    // the request's span. The other steps are timed by the step histogram.
    const childrenOf = (parent: OtlpSpan): OtlpSpan[] => spans.filter((span) => span.parentSpanId === parent.spanId);
    expect(named('exchange.fetch')).toHaveLength(1);
    expect(childrenOf(server).map((span) => span.name)).toContain('exchange.fetch');
    for (const step of ['exchange.decide', 'exchange.intent', 'exchange.release']) expect(named(step)).toEqual([]);
    expect(attribute(server, 'passerelle.product')).toBe('saaq.adresse');
    expect(attribute(server, 'passerelle.organisation')).toBe('mess');
    expect(attribute(server, 'passerelle.decision')).toBe('allow');
    expect(attribute(server, 'passerelle.problem')).toBeUndefined();

    // The lookups are the request's statements: the consent and the citizen's id at the source, together.
    const queries = childrenOf(server).filter((span) => attribute(span, 'db.system.name') === 'postgresql');
    expect(queries.map((span) => span.name).sort()).toEqual([
      expect.stringContaining('adapters.find-local-id'),
      expect.stringContaining('consent.lookup'),
    ]);
    // The claim is shared by the releases that claim in the same turn, and the outcome is batched: neither
    // statement belongs to one exchange's trace.
    expect(spans.filter((span) => attribute(span, 'db.system.name') === 'postgresql')).toHaveLength(2);
    // The source call has no span of its own: the fetch step names the source by its origin, and its answer.
    const fetchStep = named('exchange.fetch')[0];
    expect(attribute(fetchStep, 'url.full')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/REDACTED$/);
    expect(attribute(fetchStep, 'http.response.status_code')).toBe(200);
    expect(spans.filter((span) => span.kind === CLIENT && attribute(span, 'url.full') !== undefined)).toEqual([]);
  });

  it('names a refusal on the request span, and puts no citizen id in any span', async () => {
    const refused = await exchange(WITHOUT_CONSENT);
    expect(refused.status).toBe(403);
    const spans = await traceOf(refused.headers['x-correlation-id'] as string);
    const server = spans.find((span) => span.kind === SERVER) as OtlpSpan;
    expect(attribute(server, 'http.response.status_code')).toBe(403);
    expect(attribute(server, 'passerelle.decision')).toBe('deny');
    expect(attribute(server, 'passerelle.problem')).toBe('consent-required');
    // Refused before the source was called.
    expect(spans.filter((span) => span.name === 'exchange.fetch')).toEqual([]);

    // An officer's search names the citizen in its query string.
    const officer = await citizenToken('demo-officer', ['privacy-officer']);
    const search = await fetch(`http://127.0.0.1:${gateway.publicPort}/v1/audit/events?citizen=${CITIZEN}`, {
      headers: bearer(officer),
    });
    expect(search.status).toBe(200);
    const searchSpans = await traceOf(search.headers.get('x-correlation-id') as string);
    const incoming = searchSpans.find((span) => span.kind === SERVER) as OtlpSpan;
    expect(attribute(incoming, 'url.query')).toBe('citizen=REDACTED');

    const everything = JSON.stringify(receiver.spans);
    expect(receiver.spans.length).toBeGreaterThan(10);
    for (const citizen of [CITIZEN, WITHOUT_CONSENT]) {
      expect(everything).not.toContain(citizen);
      expect(everything).not.toContain(citizenIdOf('mess', citizen));
    }
    expect(localId).not.toBe('');
    expect(everything).not.toContain(localId);
  });
});
