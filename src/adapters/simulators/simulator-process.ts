import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { SimulatorFailed, SimulatorReady } from './main';

export interface SimulatorProcess {
  endpoints: Record<string, string>;
  stop(): Promise<void>;
}

/** Forks the simulators' process and waits until every demo source listens. */
export async function startSimulatorProcess(databaseAdminUrl: string, basePort: number): Promise<SimulatorProcess> {
  const child = fork(join(__dirname, 'main.js'), [], {
    env: { ...process.env, SIMULATOR_DATABASE_URL: databaseAdminUrl, SIMULATOR_BASE_PORT: String(basePort) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const endpoints = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('message', (message: SimulatorReady | SimulatorFailed) => {
      if (message.type === 'ready') resolve(message.endpoints);
      else reject(new Error(`the demo sources did not start: ${message.message}`));
    });
    child.once('exit', (code) => reject(new Error(`the demo sources exited with code ${String(code)}`)));
  });
  return { endpoints, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.send('stop');
  });
}
