import { join } from 'node:path';
import { forkService } from '../../platform/child-service';

export interface SimulatorProcess {
  endpoints: Record<string, string>;
  stop(): Promise<void>;
}

/** Forks the simulators' process and waits until every demo source listens. */
export async function startSimulatorProcess(databaseAdminUrl: string, basePort: number): Promise<SimulatorProcess> {
  const child = await forkService<Record<string, string>>('the demo sources', join(__dirname, 'main.js'), {
    SIMULATOR_DATABASE_URL: databaseAdminUrl,
    SIMULATOR_BASE_PORT: String(basePort),
  });
  return { endpoints: child.detail, stop: () => child.stop() };
}
