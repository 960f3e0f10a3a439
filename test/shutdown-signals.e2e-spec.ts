/**
 * Stopping the gateway as process managers stop it: SIGTERM to the gateway
 * while sockets sit in the TLS handshake.
 */
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { testEnv } from './setup/test-env';
import { agencyAgent, call } from './support/agency-client';
import { sharedTestEnv } from './support/child-gateway-env';
import { startGateway, type Gateway } from './support/gateway-process';
import { createTestDatabase } from './support/test-gateway';

const DRAIN_TIMEOUT_MS = 2_000;
/** Far below the 120 s a handshake may take by Node's default, and generous for a loaded machine. */
const STOP_WITHIN_MS = 8_000;
/** A test that would otherwise wait for a hung gateway kills it here, and fails on the time it took. */
const GIVE_UP_MS = 30_000;

interface Ended {
  code: number | null;
  elapsedMs: number;
}

/** Sends SIGTERM to the gateway, or to its whole process group, and waits for the gateway to exit. */
async function terminate(gateway: Gateway, target: 'process' | 'group'): Promise<Ended> {
  const { child } = gateway;
  const pid = child.pid ?? 0;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const giveUp = setTimeout(() => {
    try {
      process.kill(target === 'group' ? -pid : pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, GIVE_UP_MS);
  const started = Date.now();
  process.kill(target === 'group' ? -pid : pid, 'SIGTERM');
  const code = await exited;
  clearTimeout(giveUp);
  return { code, elapsedMs: Date.now() - started };
}

/** A TCP connection that is open once the promise resolves; errors (the gateway's reset) are expected. */
function rawSocket(port: number, send?: Buffer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      if (send !== undefined) socket.write(send);
      resolve(socket);
    });
  });
}

/** A TLS record announcing a 512-byte ClientHello, and the first bytes of it only. */
const PARTIAL_CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x5a]);

describe('SIGTERM with connections that never finish the TLS handshake', () => {
  it('exits with code 0 within the drain timeout, cutting the half-open sockets', async () => {
    const gateway = await startGateway({
      databaseUrl: await createTestDatabase(),
      dir: mkdtempSync(join(testEnv('root'), 'handshake-')),
      env: { ...sharedTestEnv(), SHUTDOWN_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS) },
    });
    const sockets: Socket[] = [];
    try {
      sockets.push(await rawSocket(gateway.agencyPort), await rawSocket(gateway.agencyPort));
      sockets.push(await rawSocket(gateway.agencyPort, PARTIAL_CLIENT_HELLO));
      // A handshake completed after them means the gateway accepted them: it takes connections in order.
      const mess = agencyAgent(testEnv('certsDir'), 'mess');
      expect((await call(mess, `https://localhost:${gateway.agencyPort}/v1/whoami`)).status).toBe(200);
      await mess.close();
      const closed = sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve)));

      const ended = await terminate(gateway, 'process');

      expect(ended.code).toBe(0);
      expect(ended.elapsedMs).toBeLessThan(STOP_WITHIN_MS);
      await Promise.all(closed);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  }, 90_000);
});
