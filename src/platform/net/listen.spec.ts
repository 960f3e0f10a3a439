import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort, listenOn } from './listen';

describe('freePort', () => {
  it('names a port below the kernel’s ephemeral range that a server can then bind', async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const port = await freePort();
    expect(port).toBeLessThan(low);
    expect(port).toBeGreaterThanOrEqual(20_000);
    const server = createServer();
    await expect(listenOn(server, port, '127.0.0.1')).resolves.toBe(port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('does not name a port that is taken', async () => {
    const servers = [];
    // Each port is held while the next is asked for: a taken one would fail to bind.
    for (let i = 0; i < 30; i++) {
      const server = createServer();
      const port = await freePort();
      await expect(listenOn(server, port, '127.0.0.1')).resolves.toBe(port);
      servers.push(server);
    }
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('names each port once, though none of them is bound yet', async () => {
    const ports = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
