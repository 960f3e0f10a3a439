import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A real TCP hop between the gateway and PostgreSQL that a test can cut and
 * restore, to take the database away without stopping it for everyone else.
 *
 * The listener keeps its port while "down" and resets every connection: a
 * closed ephemeral port could be handed to another socket before restore.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Kills every open connection and resets new ones: the database is "down". */
  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  /** Relays again: the database is "back". */
  restore(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}

export interface Backend {
  host: string;
  port: number;
}

/**
 * A TCP load balancer in front of several gateway nodes, as in production:
 * it passes TLS through (each node sees the agency's client certificate and
 * ends mutual TLS itself) and hands each new connection to the next live
 * node in turn. A node that refuses connections is dropped from the turn,
 * and the connection that found it dead is handed to the next one: nothing
 * had been relayed yet, so the client only sees a slower handshake.
 */
export class RoundRobinProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  private readonly live: boolean[];
  private readonly failures: number[];
  /** Connections relayed to each backend, by its index. */
  readonly connections: number[];
  /** The backend of each client connection, by the client's port: which node answered a request. */
  private readonly byClientPort = new Map<number, number>();
  port = 0;

  constructor(
    private readonly backends: Backend[],
    /** Failed connection attempts in a row after which a backend is dropped. */
    private readonly dropAfterFailures = 1,
  ) {
    this.live = backends.map(() => true);
    this.failures = backends.map(() => 0);
    this.connections = backends.map(() => 0);
  }

  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Whether the backend still gets new connections. */
  isLive(index: number): boolean {
    return this.live[index];
  }

  /** Takes the backend out of the turn; the connections it holds stay open. */
  drop(index: number): void {
    this.live[index] = false;
  }

  /** The backend that the connection from the client's `port` was relayed to. */
  backendOf(clientPort: number): number | undefined {
    return this.byClientPort.get(clientPort);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private accept(client: Socket): void {
    this.track(client);
    // Until a backend answers, what the client sends (its ClientHello) waits in the socket: nothing is read.
    client.on('error', () => client.destroy());
    this.relay(client, new Set());
  }

  /** The next live backend after the last one chosen, skipping those already tried for this connection. */
  private pick(tried: Set<number>): number | undefined {
    for (let step = 0; step < this.backends.length; step++) {
      const index = (this.next + step) % this.backends.length;
      if (this.live[index] && !tried.has(index)) {
        this.next = index + 1;
        return index;
      }
    }
    return undefined;
  }

  private relay(client: Socket, tried: Set<number>): void {
    const index = this.pick(tried);
    if (index === undefined || client.destroyed) {
      client.destroy();
      return;
    }
    tried.add(index);
    const { host, port } = this.backends[index];
    const upstream = connect(port, host);
    this.track(upstream);
    const abandoned = (): void => void upstream.destroy();
    client.once('close', abandoned);
    const refused = (): void => {
      client.removeListener('close', abandoned);
      upstream.destroy();
      this.failures[index]++;
      if (this.failures[index] >= this.dropAfterFailures) this.live[index] = false;
      this.relay(client, tried);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.removeListener('error', refused);
      upstream.on('error', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      this.failures[index] = 0;
      this.connections[index]++;
      if (client.remotePort !== undefined) this.byClientPort.set(client.remotePort, index);
      client.pipe(upstream).pipe(client);
    });
  }
}
