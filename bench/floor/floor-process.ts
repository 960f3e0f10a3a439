/**
 * Starts and stops the floor server (floor-server.ts) as a child process, and
 * says how to load it: the same connections and keep-alive as the exchange,
 * over mutual TLS with the floor's own client certificate.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Options } from 'autocannon';
import type { FloorPki } from './floor-pki';
import type { FloorMessage, FloorStart } from './floor-server';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface FloorServer {
  child: ChildProcess;
  port: number;
}

/** Forks the floor server on `databaseUrl` and waits until it listens. */
export async function startFloor(start: FloorStart): Promise<FloorServer> {
  // TypeScript through ts-node, as the benches run; plain Node otherwise (no BENCH_NODE_FLAGS: those are the gateway's).
  const child = fork(join(__dirname, 'floor-server.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the floor server did not start')), START_TIMEOUT_MS);
      child.once('exit', (code) => reject(new Error(`the floor server ended (${code})`)));
      child.once('message', (message: FloorMessage) => {
        clearTimeout(timer);
        if ('ready' in message) resolve(message.port);
        else reject(new Error(`the floor server failed: ${message.failed}`));
      });
      child.send(start);
    });
    child.removeAllListeners('exit');
    return { child, port };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

export async function stopFloor({ child }: FloorServer): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  child.send('exit');
  await exited;
  clearTimeout(kill);
}

/** autocannon's options for the floor: `connections` keep-alive connections over mutual TLS. */
export function floorOptions(server: FloorServer, pki: FloorPki, connections: number): Options {
  return {
    url: `https://127.0.0.1:${server.port}/data`,
    connections,
    pipelining: 1,
    tlsOptions: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key },
  };
}
