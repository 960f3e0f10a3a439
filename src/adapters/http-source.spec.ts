import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { listenOn } from '../platform/net/listen';
import { HttpSource } from './http-source';
import { DEFAULT_SOURCE_LIMITS } from './source-adapter';

describe('HttpSource', () => {
  let server: Server;
  let source: HttpSource;
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const port = await listenOn(server, 0, '127.0.0.1');
    source = new HttpSource(`http://127.0.0.1:${port}`, DEFAULT_SOURCE_LIMITS);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });

  afterAll(async () => {
    propagation.disable();
    await source.close();
    server.close();
  });

  it('sends the trace context it is handed, though the call is made after an await', async () => {
    const traced = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    });
    await Promise.resolve();
    const answer = await source.call({
      method: 'GET',
      path: '/record',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(5_000),
      traced,
    });
    expect(answer.status).toBe(200);
    expect(received.at(-1)?.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });

  it('sends none when the call is not traced', async () => {
    await source.call({ method: 'GET', path: '/record', headers: {}, signal: AbortSignal.timeout(5_000) });
    expect(received.at(-1)?.traceparent).toBeUndefined();
  });
});
