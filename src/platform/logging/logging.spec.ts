import { createServer, type IncomingMessage } from 'node:http';
import { listenOn } from '../net/listen';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import { loggerParams, redactUrl, requestLogger } from './logging';

describe('redactUrl', () => {
  it('hides citizen ids in query strings', () => {
    expect(redactUrl('/v1/audit/events?citizen=demo-citizen-1&org=afe')).toBe(
      '/v1/audit/events?citizen=[Redacted]&org=afe',
    );
  });

  it('matches parameter names case-insensitively', () => {
    expect(redactUrl('/x?CitizenId=abc')).toBe('/x?CitizenId=[Redacted]');
  });

  it('leaves URLs without sensitive parameters untouched', () => {
    expect(redactUrl('/v1/catalogue?lang=fr')).toBe('/v1/catalogue?lang=fr');
    expect(redactUrl('/health/live')).toBe('/health/live');
  });

  it('does not throw on a name that will not decode, and redacts its value', () => {
    expect(redactUrl('/health/live?%zz=1&%63itizen%E0=demo-citizen-1&org=%zz')).toBe(
      '/health/live?%zz=[Redacted]&%63itizen%E0=[Redacted]&org=%zz',
    );
  });
});

describe('requestLogger', () => {
  /** A server whose every request is logged by `log`, answering the status its path names (`/503`: 503). */
  async function served(
    level: string,
    paths: string[],
  ): Promise<{ lines: Record<string, unknown>[]; listeners: number[] }> {
    const lines: Record<string, unknown>[] = [];
    const listeners: number[] = [];
    const log = requestLogger(level, {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const server = createServer((request, response) => {
      (request as IncomingMessage & { correlationId?: string }).correlationId = 'c0ffee';
      log(request, response);
      listeners.push(response.listenerCount('finish'));
      response.setHeader('set-cookie', 'sid=secret-cookie');
      response.statusCode = request.url === '/503' ? 503 : 200;
      response.end('{}');
    });
    const port = await listenOn(server, 0, '127.0.0.1');
    try {
      for (const path of paths) await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
      // A line is written when the response finishes, which may come after the client has the answer.
      for (let i = 0; i < 50 && lines.length < paths.length; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      server.close();
    }
    return { lines, listeners };
  }

  it('writes one line a request as pino-http did, its query and cookies redacted, and none for a probe', async () => {
    const { lines } = await served('info', ['/v1/audit/events?citizen=demo-citizen-1', '/503', '/health/live']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      req: { id: 'c0ffee', method: 'GET', url: '/v1/audit/events?citizen=[Redacted]' },
      res: { statusCode: 200, headers: { 'set-cookie': '[Redacted]' } },
      msg: 'request completed',
    });
    expect(typeof lines[0].responseTime).toBe('number');
    expect(lines[1]).toMatchObject({
      res: { statusCode: 503 },
      err: { type: 'Error', message: 'failed with status code 503' },
      msg: 'request errored',
    });
    expect(JSON.stringify(lines)).not.toMatch(/demo-citizen-1|secret-cookie/);
  });

  it('below info, writes nothing and listens to nothing', async () => {
    const quiet = await served('warn', ['/v1/catalogue', '/503']);
    const logged = await served('info', ['/v1/catalogue', '/503']);
    expect(quiet.lines).toEqual([]);
    expect(logged.lines).toHaveLength(2);
    // Node's own listener on each response, and the logger's only when it writes.
    expect(logged.listeners.map((count, i) => count - quiet.listeners[i])).toEqual([1, 1]);
  });
});

describe('loggerParams', () => {
  it('makes the application logger write a request as the access log does, never whole', () => {
    const lines: Record<string, unknown>[] = [];
    const params = loggerParams('info', {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    // As nestjs-pino makes it: pino(options, destination).
    const [options, destination] = params.pinoHttp as [LoggerOptions, DestinationStream];
    const request = {
      correlationId: 'c0ffee',
      method: 'GET',
      url: '/v1/audit/events?citizen=demo-citizen-1',
      headers: { authorization: 'Bearer secret-token' },
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    pino(options, destination).warn({ req: request, citizen: 'demo-citizen-2' }, 'odd request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      req: { id: 'c0ffee', method: 'GET', url: '/v1/audit/events?citizen=[Redacted]', remoteAddress: '127.0.0.1' },
      citizen: '[Redacted]',
      msg: 'odd request',
    });
    expect(JSON.stringify(lines)).not.toMatch(/demo-citizen|secret-token/);
  });

  it('writes a request without its socket rather than losing the line', () => {
    const lines: Record<string, unknown>[] = [];
    const params = loggerParams('info', {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const [options, destination] = params.pinoHttp as [LoggerOptions, DestinationStream];
    pino(options, destination).error({ req: { method: 'POST', url: '/v1/x' } }, 'no socket');
    expect(lines).toEqual([expect.objectContaining({ req: { id: 'none', method: 'POST', url: '/v1/x' } })]);
  });
});
