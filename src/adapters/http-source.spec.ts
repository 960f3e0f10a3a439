import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { listenOn } from '../platform/net/listen';
import { HttpSource } from './http-source';
import { DEFAULT_SOURCE_LIMITS, SourceError } from './source-adapter';

describe('HttpSource', () => {
  let server: Server;
  let source: HttpSource & { origin: string };
  const received: IncomingHttpHeaders[] = [];
  const held: (() => void)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push(request.headers);
      if (request.url === '/chunked') {
        // No content-length: the size is known only as the body arrives, in chunks.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('['.padEnd(400, ' '));
        response.end(' '.repeat(400) + ']');
      } else if (request.url === '/held') {
        // Answered only when the test lets it go: the call holds its socket meanwhile.
        held.push(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      } else if (request.url === '/stalled') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
    });
    const port = await listenOn(server, 0, '127.0.0.1');
    source = Object.assign(new HttpSource(`http://127.0.0.1:${port}`, DEFAULT_SOURCE_LIMITS), {
      origin: `http://127.0.0.1:${port}`,
    });
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

  it('reads a body sent in chunks whole, within the size limit', async () => {
    const answer = await source.call({
      method: 'GET',
      path: '/chunked',
      headers: {},
      signal: AbortSignal.timeout(5_000),
    });
    expect(answer.body.toString()).toBe(`[${' '.repeat(799)}]`);
    expect(answer.contentType).toBe('application/json');
  });

  it('refuses a body that outgrows the size limit as it arrives, or declares more', async () => {
    const small = new HttpSource(source.origin, { ...DEFAULT_SOURCE_LIMITS, maxResponseBytes: 500 });
    const tiny = new HttpSource(source.origin, { ...DEFAULT_SOURCE_LIMITS, maxResponseBytes: 1 });
    try {
      const chunked = await small
        .call({ method: 'GET', path: '/chunked', headers: {}, signal: AbortSignal.timeout(5_000) })
        .catch((error: unknown) => error);
      expect(chunked).toBeInstanceOf(SourceError);
      expect(chunked).toMatchObject({ failure: 'bad-response', reason: 'answer exceeds the limit of 500 bytes' });
      const declared = await tiny
        .call({ method: 'GET', path: '/record', headers: {}, signal: AbortSignal.timeout(5_000) })
        .catch((error: unknown) => error);
      expect(declared).toMatchObject({ failure: 'bad-response', reason: expect.stringMatching(/exceeds the limit/) });
    } finally {
      await small.close();
      await tiny.close();
    }
  });

  it('ends the read of a body that stalls when the deadline passes', async () => {
    const stalled = await source
      .call({ method: 'GET', path: '/stalled', headers: {}, signal: AbortSignal.timeout(200) })
      .catch((error: unknown) => error);
    expect(stalled).toMatchObject({ failure: 'timeout' });
  });

  it('sends none when the call is not traced', async () => {
    await source.call({ method: 'GET', path: '/record', headers: {}, signal: AbortSignal.timeout(5_000) });
    expect(received.at(-1)?.traceparent).toBeUndefined();
  });

  it('ends a call that waits for a socket when its deadline passes, and one whose deadline passed before it', async () => {
    const one = new HttpSource(source.origin, DEFAULT_SOURCE_LIMITS, 1);
    try {
      const first = one.call({ method: 'GET', path: '/held', headers: {}, signal: AbortSignal.timeout(5_000) });
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // The pool's one socket is taken: this call waits in its queue until the deadline ends it there.
      const deadline = new AbortController();
      const queued = one
        .call({ method: 'GET', path: '/record', headers: {}, signal: deadline.signal })
        .catch((error: unknown) => error);
      deadline.abort(new Error('deadline'));
      expect(await queued).toMatchObject({ failure: 'timeout' });
      const late = await one
        .call({ method: 'GET', path: '/record', headers: {}, signal: AbortSignal.abort() })
        .catch((error: unknown) => error);
      expect(late).toMatchObject({ failure: 'timeout' });
      const before = received.length;
      held.splice(0).forEach((answer) => answer());
      expect((await first).status).toBe(200);
      // Neither ended call reached the source, even once the socket was free.
      await one.call({ method: 'GET', path: '/record', headers: {}, signal: AbortSignal.timeout(5_000) });
      expect(received.length).toBe(before + 1);
    } finally {
      await one.close();
    }
  });
});
