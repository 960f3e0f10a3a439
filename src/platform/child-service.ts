import { type ChildProcess, fork } from 'node:child_process';

/**
 * Development companions (the legacy-system simulators, the dev identity
 * provider) run as child processes of `npm start`: their libraries and
 * sockets stay out of the gateway's process, and they stop with it. The
 * child reports readiness over IPC with a detail (its endpoints).
 */
type ChildMessage<T> = { type: 'ready'; detail: T } | { type: 'failed'; message: string };

export interface ChildService<T> {
  detail: T;
  stop(): Promise<void>;
}

/** Forks `script` and waits until it reports ready; rejects if it fails or exits first. */
export async function forkService<T>(name: string, script: string, env: NodeJS.ProcessEnv): Promise<ChildService<T>> {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Without a listener, an 'error' (a failed fork, a signal or message to a child already gone) is thrown.
  child.on('error', () => undefined);
  const detail = await new Promise<T>((resolve, reject) => {
    child.once('message', (message: ChildMessage<T>) => {
      if (message.type === 'ready') resolve(message.detail);
      else reject(new Error(`${name} did not start: ${message.message}`));
    });
    child.once('error', (error) => reject(new Error(`${name} did not start: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${String(code)}`)));
  });
  return { detail, stop: () => stopChild(child) };
}

/**
 * Asks the child to stop and waits for its exit. A signal to the whole
 * process group (systemd's KillMode=control-group, a container runtime) has
 * often stopped it already, or is stopping it: a child that is gone, or
 * whose channel is closed, is not an error.
 */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    // The channel may close between the check and the write (EPIPE): with a
    // callback the error comes here instead of being thrown, and 'exit' follows.
    if (child.connected) child.send('stop', () => undefined);
    else child.kill('SIGTERM');
  });
}

/**
 * The child's side: starts the service, reports it, and stops it when the
 * parent asks, disconnects or sends SIGTERM. A terminal's Ctrl-C reaches
 * both processes; the parent decides when to stop, so SIGINT is ignored.
 */
export function runAsChildService<T>(start: () => Promise<{ detail: T; close(): Promise<void> }>): void {
  const send = (message: ChildMessage<T>): void => {
    process.send?.(message);
  };
  if (process.send === undefined) {
    process.stderr.write('run by the gateway: an IPC channel is required\n');
    process.exit(1);
  }
  start().then(
    (service) => {
      const stop = (): void => {
        void service.close().finally(() => process.exit(0));
      };
      process.on('disconnect', stop);
      process.on('message', (message) => {
        if (message === 'stop') stop();
      });
      process.on('SIGINT', () => undefined);
      process.on('SIGTERM', stop);
      send({ type: 'ready', detail: service.detail });
    },
    (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
}
