import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { closeServer, trackConnections } from './server-close';

async function listening(): Promise<Server> {
  const server = createServer((_request, response) => response.end('ok'));
  trackConnections(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function silentSocket(server: Server): Promise<Socket> {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

describe('closeServer', () => {
  it('resolves with no connection cut when nothing is open', async () => {
    const server = await listening();
    await expect(closeServer(server, 60_000)).resolves.toBe(0);
    expect(server.listening).toBe(false);
  });

  it('cuts, at the drain deadline, the sockets that never sent a request, and says how many', async () => {
    const server = await listening();
    const sockets = [await silentSocket(server), await silentSocket(server)];
    const closedByServer = sockets.map((socket) => once(socket, 'close'));
    // The server has seen both before it is asked to close.
    while ((await countConnections(server)) < sockets.length) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await expect(closeServer(server, 50)).resolves.toBe(2);
    await Promise.all(closedByServer);
  });

  it('resolves without cutting when the server is not listening', async () => {
    const server = createServer();
    await expect(closeServer(server, 10)).resolves.toBe(0);
  });
});

function countConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}
