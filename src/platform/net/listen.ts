import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';

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

/** Where the kernel takes the ports of outgoing connections and of listeners on port 0. */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return { low, high };
  } catch {
    // Not Linux: the IANA dynamic range.
  }
  return { low: 49152, high: 65535 };
}

/** The lowest port freePort picks from: above the registered services most machines run. */
const FIRST_CHOSEN_PORT = 20_000;
const ATTEMPTS = 64;

/** The ports this process has handed out: free when probed, but perhaps not bound yet by whoever was told them. */
const handedOut = new Set<number>();

/**
 * A TCP port free on 127.0.0.1 right now, for a process that must be told its
 * port before it starts. It is drawn at random from below the kernel's
 * ephemeral range: a port from that range, free when probed, can be taken by
 * the next outgoing connection (to PostgreSQL, say) before the process binds it.
 * A port is handed out once per process: two services told their ports before
 * either binds must not be told the same one.
 */
export async function freePort(): Promise<number> {
  const { low } = ephemeralRange();
  const below = low - FIRST_CHOSEN_PORT;
  for (let attempt = 0; below > 1000 && attempt < ATTEMPTS; attempt++) {
    const port = FIRST_CHOSEN_PORT + randomInt(below);
    if (handedOut.has(port)) continue;
    const server = createServer();
    const bound = await listenOn(server, port, '127.0.0.1').then(
      () => true,
      () => false,
    );
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    handedOut.add(port);
    return port;
  }
  const server = createServer();
  const port = await listenOn(server, 0, '127.0.0.1');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `127.0.0.1:9464`, `[::1]:9464` or `0.0.0.0:0` → host and port; undefined when it is none of these. */
export function parseListenAddress(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(value.trim());
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}
