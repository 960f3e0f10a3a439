import { startDemoSources, type DemoSources } from '../../src/adapters/simulators/simulators';
import { testEnv } from '../setup/test-env';
import { startTestGateway, type TestGateway } from './test-gateway';

/**
 * A gateway with simulators of its own, in this process, so that a test can
 * set their faults (latency, errors, resets) without disturbing other files.
 */
export async function startGatewayWithOwnSources(
  env: Record<string, string>,
): Promise<{ sources: DemoSources; gateway: TestGateway }> {
  const sources = await startDemoSources({
    databaseAdminUrl: testEnv('adminUrl'),
    ramqDatabase: `${testEnv('databasePrefix')}ramq`,
  });
  const gateway = await startTestGateway({
    env: {
      SOURCE_ENDPOINTS: Object.entries(sources.endpoints)
        .map(([name, url]) => `${name}=${url}`)
        .join(','),
      ...env,
    },
  });
  return { sources, gateway };
}
