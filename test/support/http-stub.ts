import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpStub {
  url: string;
  requests: StubRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** A real HTTP server that records what it receives and answers with `respond`. */
export async function startHttpStub(
  respond: (request: StubRequest, response: ServerResponse) => void,
): Promise<HttpStub> {
  const stub = { requests: [] as StubRequest[], connections: 0 };
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: StubRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      stub.requests.push(recorded);
      respond(recorded, response);
    });
  });
  server.on('connection', () => stub.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
