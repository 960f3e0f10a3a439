import { startRqRecordSimulator } from '../fixed-width/rq-record-simulator';
import { startSaaqRestSimulator } from '../rest/saaq-rest-simulator';
import { startDecSoapSimulator } from '../soap/dec-soap-simulator';
import { ensureRamqLegacyDatabase } from '../sql/ramq-legacy-database';
import { startRamqSqlSimulator } from '../sql/ramq-sql-simulator';
import { Faults, type FaultKnobs } from './faults';
import type { RunningSimulator } from './running-simulator';

/** The endpoint names the demo contracts use, one per legacy system. */
export const DEMO_ENDPOINTS = ['dec-soap', 'rq-records', 'saaq-rest', 'ramq-sql'] as const;
export type DemoEndpoint = (typeof DEMO_ENDPOINTS)[number];

/** Consecutive ports from `base`, in DEMO_ENDPOINTS order; base 0 picks free ones. */
export function simulatorPorts(base: number): Record<DemoEndpoint, number> {
  return Object.fromEntries(DEMO_ENDPOINTS.map((name, index) => [name, base === 0 ? 0 : base + index])) as Record<
    DemoEndpoint,
    number
  >;
}

export interface DemoSources {
  simulators: Record<DemoEndpoint, RunningSimulator>;
  /** Endpoint name → URL, as SOURCE_ENDPOINTS would give them. */
  endpoints: Record<DemoEndpoint, string>;
  close(): Promise<void>;
}

/**
 * The four demo legacy systems: the DEC SOAP service, the RQ mainframe record
 * service, the SAAQ REST API and the RAMQ database (created in the given
 * PostgreSQL server, behind a fault-injecting wire). Each has its own knobs.
 */
export async function startDemoSources(options: {
  databaseAdminUrl: string;
  host?: string;
  ports?: Partial<Record<DemoEndpoint, number>>;
  knobs?: Partial<FaultKnobs>;
  ramqDatabase?: string;
}): Promise<DemoSources> {
  const host = options.host ?? '127.0.0.1';
  const port = (name: DemoEndpoint): number => options.ports?.[name] ?? 0;
  const faults = (): Faults => new Faults(options.knobs);
  const started: RunningSimulator[] = [];
  const track = async (simulator: Promise<RunningSimulator>): Promise<RunningSimulator> => {
    const running = await simulator;
    started.push(running);
    return running;
  };
  try {
    const readerUrl = await ensureRamqLegacyDatabase(options.databaseAdminUrl, options.ramqDatabase);
    const simulators: Record<DemoEndpoint, RunningSimulator> = {
      'dec-soap': await track(startDecSoapSimulator({ host, port: port('dec-soap'), faults: faults() })),
      'rq-records': await track(startRqRecordSimulator({ host, port: port('rq-records'), faults: faults() })),
      'saaq-rest': await track(startSaaqRestSimulator({ host, port: port('saaq-rest'), faults: faults() })),
      'ramq-sql': await track(
        startRamqSqlSimulator({ host, port: port('ramq-sql'), faults: faults(), databaseUrl: readerUrl }),
      ),
    };
    const endpoints = Object.fromEntries(DEMO_ENDPOINTS.map((name) => [name, simulators[name].url])) as Record<
      DemoEndpoint,
      string
    >;
    return {
      simulators,
      endpoints,
      close: async () => {
        await Promise.allSettled(started.map((simulator) => simulator.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((simulator) => simulator.close()));
    throw error;
  }
}
