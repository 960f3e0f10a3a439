/**
 * The demo legacy systems as a process of their own, started by `npm start`
 * beside the gateway. It reports its endpoints to the parent over IPC and
 * stops when the parent goes away.
 */
import { runAsChildService } from '../../platform/child-service';
import { faultKnobsFromEnv } from './faults';
import { simulatorPorts, startDemoSources } from './simulators';

runAsChildService(async () => {
  const databaseAdminUrl = process.env.SIMULATOR_DATABASE_URL;
  if (databaseAdminUrl === undefined) throw new Error('SIMULATOR_DATABASE_URL is required');
  const sources = await startDemoSources({
    databaseAdminUrl,
    host: process.env.SIMULATOR_HOST ?? '127.0.0.1',
    ports: simulatorPorts(Number(process.env.SIMULATOR_BASE_PORT ?? 9101)),
    knobs: faultKnobsFromEnv(),
  });
  return { detail: sources.endpoints, close: () => sources.close() };
});
