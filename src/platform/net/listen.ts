import type { AddressInfo, Server } from 'node:net';

/** Listens on `host:port` (0: a free port) and resolves with the port bound; a bind error rejects. */
export function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
