import type { Server } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';

/**
 * Every TCP connection a server accepted and that is still open. An HTTPS
 * server's own list (what closeAllConnections cuts) only holds connections
 * past the TLS handshake: a socket that connects and never says anything, or
 * sends half a ClientHello, is not in it, yet server.close() waits for it.
 */
const openSockets = new WeakMap<NetServer, Set<Socket>>();

/** Starts remembering the raw sockets `server` accepts; call before it listens. */
export function trackConnections(server: NetServer): void {
  const sockets = new Set<Socket>();
  openSockets.set(server, sockets);
  // 'connection' hands over the TCP socket before any TLS; it closes with the TLS socket built on it.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

/**
 * Stops listening and resolves once every connection is gone: in-flight
 * requests finish, idle keep-alive sockets close now, and whatever is still
 * open at the drain deadline (a slow request, a handshake that never ends) is
 * cut, so shutdown always ends within the drain timeout. Resolves with the
 * number of connections cut at the deadline, which the operator is told:
 * those clients got no answer.
 */
export function closeServer(server: Server, drainTimeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve(0);
      return;
    }
    let cut = 0;
    const force = setTimeout(() => {
      const sockets = openSockets.get(server) ?? new Set<Socket>();
      cut = sockets.size;
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }, drainTimeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve(cut);
    });
    server.closeIdleConnections();
  });
}
