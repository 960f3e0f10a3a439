import type { Faults } from './faults';

/** A legacy-system simulator listening on a real socket. */
export interface RunningSimulator {
  /** Where an adapter reaches it: `http://127.0.0.1:PORT` or `tcp://127.0.0.1:PORT`. */
  readonly url: string;
  /** Live knobs: changing them affects the next request. */
  readonly faults: Faults;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  faults?: Faults;
}
