import { createServer, type Server } from 'node:http';
import { listenOn } from '../src/platform/net/listen';

/** An OTLP/HTTP receiver that accepts and drops every export: tracing's cost is the gateway's, not a collector's. */
export async function otlpSink(): Promise<{ server: Server; url: string; received: () => number }> {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await listenOn(server, 0, '127.0.0.1');
  return { server, url: `http://127.0.0.1:${port}`, received: () => received };
}
