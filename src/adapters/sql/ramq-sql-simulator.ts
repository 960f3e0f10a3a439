import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { Faults } from '../simulators/faults';
import type { RunningSimulator, SimulatorOptions } from '../simulators/running-simulator';

/** PostgreSQL frontend messages that start a query: simple Query, Parse, Bind, Execute. */
const QUERY_MESSAGES = new Set(['Q', 'P', 'B', 'E'].map((c) => c.charCodeAt(0)));

/**
 * The `ramq` source is a real PostgreSQL database; this is the wire in front
 * of it, so the fault knobs apply to SQL sources too. It relays the protocol
 * untouched and, per query, can wait, answer a server error, send garbage or
 * reset the connection. Authentication passes through untouched.
 */
export async function startRamqSqlSimulator(
  options: SimulatorOptions & { databaseUrl: string },
): Promise<RunningSimulator> {
  const target = new URL(options.databaseUrl);
  const faults = options.faults ?? new Faults();
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    // Chunks are handled one after the other so a delayed query keeps its place.
    let queue = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      client.pause();
      queue = queue
        .then(() => relay(chunk, client, upstream, faults))
        .finally(() => client.resume())
        .catch(() => {
          client.destroy();
        });
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(options.databaseUrl);
  url.hostname = options.host ?? '127.0.0.1';
  url.port = String(port);

  return {
    url: url.toString(),
    faults,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function relay(chunk: Buffer, client: Socket, upstream: Socket, faults: Faults): Promise<void> {
  if (!QUERY_MESSAGES.has(chunk[0] ?? 0)) {
    upstream.write(chunk);
    return;
  }
  switch (await faults.next()) {
    case 'answer':
      upstream.write(chunk);
      return;
    case 'reset':
      client.resetAndDestroy();
      return;
    case 'garbage':
      // A well-framed message of a type no PostgreSQL server sends, full of random bytes, then ReadyForQuery:
      // the client sees an answer it cannot use, not a stream it must wait on.
      client.write(Buffer.concat([garbageMessage(), readyForQuery()]));
      return;
    case 'error':
      // ErrorResponse (XX000 internal_error) then ReadyForQuery, as a failing server would.
      client.write(Buffer.concat([errorResponse('XX000', 'simulated source failure'), readyForQuery()]));
      return;
  }
}

function errorResponse(sqlstate: string, message: string): Buffer {
  const fields = Buffer.from(`SERROR\0VERROR\0C${sqlstate}\0M${message}\0\0`, 'utf8');
  const header = Buffer.alloc(5);
  header.write('E', 0, 'ascii');
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

function garbageMessage(): Buffer {
  const payload = randomBytes(64);
  const header = Buffer.alloc(5);
  header.write('~', 0, 'ascii');
  header.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}

function readyForQuery(): Buffer {
  return Buffer.from([0x5a, 0, 0, 0, 5, 0x49]); // 'Z', length 5, 'I' (idle)
}
