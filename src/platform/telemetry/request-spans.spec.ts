import { createServer, type Server } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { tracing } from '@opentelemetry/sdk-node';
import { listenOn } from '../net/listen';
import { requestAttributes, traceIncomingRequests, withRequestSpans } from './request-spans';
import { SynchronousContextManager } from './synchronous-context-manager';

describe('requestAttributes', () => {
  it('names the method, scheme, path and protocol, and redacts the values of the query', () => {
    expect(requestAttributes('GET', '/v1/audit/events?citizen=demo-citizen-1&limit=5', true, '1.1')).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'https',
      'url.path': '/v1/audit/events',
      'url.query': 'citizen=REDACTED&limit=REDACTED',
      'network.protocol.version': '1.1',
    });
  });

  it('has no query attribute when the URL has no query', () => {
    expect(requestAttributes('POST', '/v1/exchanges', false, '1.1')).not.toHaveProperty('url.query');
  });
});

describe('withRequestSpans', () => {
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new tracing.BasicTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
  let server: Server;
  let base: string;
  /** The trace id active while the handler ran, for each request: the correlation id is read from it. */
  const activeTraceIds: (string | undefined)[] = [];

  beforeAll(async () => {
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new SynchronousContextManager());
    server = createServer(
      withRequestSpans((request, response) => {
        activeTraceIds.push(trace.getActiveSpan()?.spanContext().traceId);
        // An answer cut off before its end: the client sees the connection drop.
        if (request.url === '/cut') return void response.destroy();
        response.statusCode = request.url === '/fails' ? 503 : 200;
        response.end('done');
      }),
    );
    base = `http://127.0.0.1:${await listenOn(server, 0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    traceIncomingRequests(false);
    server.close();
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  beforeEach(() => {
    exporter.reset();
    activeTraceIds.length = 0;
  });

  /** The spans ended once the responses closed (the close event follows the client's end by a turn or two). */
  async function finishedSpans(count: number): Promise<tracing.ReadableSpan[]> {
    for (let i = 0; i < 50 && exporter.getFinishedSpans().length < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return exporter.getFinishedSpans();
  }

  it('makes no span while tracing is off', async () => {
    traceIncomingRequests(false);
    expect((await fetch(`${base}/v1/exchanges`)).status).toBe(200);
    expect(activeTraceIds).toEqual([undefined]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it("starts a server span as the request arrives, a child of the caller's trace, and ends it with the status", async () => {
    traceIncomingRequests();
    const response = await fetch(`${base}/v1/audit/events?citizen=demo-citizen-1`, {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(await response.text()).toBe('done');
    const [span] = await finishedSpans(1);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.name).toBe('GET');
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span.attributes).toMatchObject({
      'url.path': '/v1/audit/events',
      'url.query': 'citizen=REDACTED',
      'http.response.status_code': 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // The handler ran inside it: what it reads as it starts (the correlation id) is the trace's.
    expect(activeTraceIds).toEqual(['0af7651916cd43dd8448eb211c80319c']);
  });

  it('marks a 5xx answer and an answer cut off as errors, and leaves probes untraced', async () => {
    traceIncomingRequests();
    expect((await fetch(`${base}/fails`)).status).toBe(503);
    await expect(fetch(`${base}/cut`)).rejects.toThrow();
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const spans = await finishedSpans(2);
    expect(spans.map((span) => [span.attributes['url.path'], span.status.code])).toEqual([
      ['/fails', SpanStatusCode.ERROR],
      ['/cut', SpanStatusCode.ERROR],
    ]);
    expect(activeTraceIds[2]).toBeUndefined();
  });
});
