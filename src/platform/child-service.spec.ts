import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildService, forkService } from './child-service';

/** A companion as small as it gets: reports its pid as ready, exits when asked to stop. */
const COMPANION = `
process.on('message', (message) => { if (message === 'stop') process.exit(0); });
process.send({ type: 'ready', detail: process.pid });
`;

/** The process's state letter in /proc (R, S, Z…), or undefined once it is reaped. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('forkService: stopping a companion', () => {
  let dir: string;
  let script: string;
  const started: ChildService<number>[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'child-service-'));
    script = join(dir, 'companion.js');
    writeFileSync(script, COMPANION);
  });

  afterAll(() => {
    for (const child of started) {
      if (exists(child.detail)) process.kill(child.detail, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<ChildService<number>> => {
    const child = await forkService<number>('the companion', script, {});
    started.push(child);
    return child;
  };

  it('asks a running companion to stop and waits until it has exited', async () => {
    const child = await start();
    await child.stop();
    expect(exists(child.detail)).toBe(false);
  });

  it('stops quietly when the companion died and the parent has not yet heard of it (its channel is broken)', async () => {
    const child = await start();
    process.kill(child.detail, 'SIGKILL');
    // Without yielding to the event loop, the parent has neither reaped the child nor read its channel's end:
    // the child is a zombie, and a message to it fails to be written.
    const deadline = Date.now() + 5_000;
    while (stateOf(child.detail) !== 'Z' && Date.now() < deadline) {
      // Spinning on purpose.
    }
    expect(stateOf(child.detail)).toBe('Z');
    await child.stop();
    expect(exists(child.detail)).toBe(false);
  });

  it('stops at once when the companion was already killed by a signal', async () => {
    const child = await start();
    process.kill(child.detail, 'SIGKILL');
    // Reaped: the parent has seen its exit and its closed channel.
    await until(() => !exists(child.detail));
    await expect(child.stop()).resolves.toBeUndefined();
  });
});
