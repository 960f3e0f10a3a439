/**
 * The demo legacy systems as a process of their own, started by `npm start`
 * beside the gateway. It reports its endpoints to the parent over IPC and
 * stops when the parent goes away.
 */
import { faultKnobsFromEnv } from './faults';
import { simulatorPorts, startDemoSources } from './simulators';

export interface SimulatorReady {
  type: 'ready';
  endpoints: Record<string, string>;
}

export interface SimulatorFailed {
  type: 'failed';
  message: string;
}

async function main(): Promise<void> {
  const databaseAdminUrl = process.env.SIMULATOR_DATABASE_URL;
  if (databaseAdminUrl === undefined || process.send === undefined) {
    throw new Error('run by the gateway: SIMULATOR_DATABASE_URL and an IPC channel are required');
  }
  const sources = await startDemoSources({
    databaseAdminUrl,
    host: process.env.SIMULATOR_HOST ?? '127.0.0.1',
    ports: simulatorPorts(Number(process.env.SIMULATOR_BASE_PORT ?? 9101)),
    knobs: faultKnobsFromEnv(),
  });
  const stop = (): void => {
    void sources.close().finally(() => process.exit(0));
  };
  process.on('disconnect', stop);
  process.on('message', (message) => {
    if (message === 'stop') stop();
  });
  // The parent decides when to stop; a terminal's Ctrl-C reaches both processes.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', stop);
  process.send({ type: 'ready', endpoints: sources.endpoints } satisfies SimulatorReady);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.send?.({ type: 'failed', message } satisfies SimulatorFailed);
  process.exit(1);
});
