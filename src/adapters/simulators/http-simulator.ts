import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOn } from '../../platform/net/listen';
import type { Faults } from './faults';
import type { RunningSimulator } from './running-simulator';

export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * Runs an HTTP/1.1 simulator with keep-alive. The correlation id a caller
 * sends comes back in the answer's headers, as the agencies' gateways do; a
 * handler that throws loses its connection.
 */
export async function serveHttp(
  handler: HttpHandler,
  options: { host: string; port: number; faults: Faults },
): Promise<RunningSimulator> {
  const server = createServer((request, response) => {
    const correlationId = request.headers['x-correlation-id'];
    if (typeof correlationId === 'string') response.setHeader('x-correlation-id', correlationId);
    handler(request, response).catch(() => request.socket.destroy());
  });
  server.keepAliveTimeout = 30_000;
  const port = await listenOn(server, options.port, options.host);
  const { host } = options;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    faults: options.faults,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/**
 * Waits the configured latency and plays this request's fault: a reset, or
 * the simulator's own server-error or garbage answer. Resolves true when the
 * request is to get its normal answer.
 */
export async function playFault(
  faults: Faults,
  request: IncomingMessage,
  response: ServerResponse,
  answers: { error: () => void; garbage: () => void },
): Promise<boolean> {
  const action = await faults.next();
  // The client may have given up during the latency.
  if (response.destroyed) return false;
  switch (action) {
    case 'reset':
      request.socket.resetAndDestroy();
      return false;
    case 'error':
      answers.error();
      return false;
    case 'garbage':
      answers.garbage();
      return false;
    case 'answer':
      return true;
  }
}
