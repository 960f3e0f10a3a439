import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Fault knobs every simulator takes, so tests and demos can make a source
 * slow, failing, garbled or rude. Rates are probabilities in [0, 1].
 */
export interface FaultKnobs {
  /** Added before every answer. */
  latencyMs: number;
  /** Share of requests answered with the protocol's server error (HTTP 500, SOAP Server fault, status 12...). */
  errorRate: number;
  /** Share of requests answered with bytes that are not a valid answer. */
  garbageRate: number;
  /** Share of requests whose connection is reset without an answer. */
  resetRate: number;
}

export type FaultAction = 'answer' | 'error' | 'garbage' | 'reset';

export const NO_FAULTS: FaultKnobs = { latencyMs: 0, errorRate: 0, garbageRate: 0, resetRate: 0 };

export class Faults {
  knobs: FaultKnobs;
  /** While set, every request waits here before its latency and draw; see hold(). */
  private gate: Promise<void> | undefined;
  private releaseGate: (() => void) | undefined;
  private waiting = 0;

  constructor(
    knobs: Partial<FaultKnobs> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.knobs = { ...NO_FAULTS, ...knobs };
  }

  set(knobs: Partial<FaultKnobs>): void {
    this.knobs = { ...this.knobs, ...knobs };
  }

  /** No faults, and nothing held any more. */
  reset(): void {
    this.knobs = { ...NO_FAULTS };
    this.release();
  }

  /**
   * Holds every request that comes from now on, before it is answered, until
   * release() or reset(): a source that has taken the request and not
   * answered yet, for as long as a test needs, where a latency would be a
   * guess at how long a busy machine takes to do the rest.
   */
  hold(): void {
    if (this.gate !== undefined) return;
    this.gate = new Promise<void>((resolve) => (this.releaseGate = resolve));
  }

  /** Lets the held requests go on to their latency and fault. */
  release(): void {
    this.releaseGate?.();
    this.gate = undefined;
    this.releaseGate = undefined;
  }

  /** Requests waiting at the hold right now. */
  get held(): number {
    return this.waiting;
  }

  /** Waits while held, then the configured latency, then draws what this request gets. */
  async next(): Promise<FaultAction> {
    if (this.gate !== undefined) {
      this.waiting++;
      try {
        await this.gate;
      } finally {
        this.waiting--;
      }
    }
    const { latencyMs } = this.knobs;
    if (latencyMs > 0) await sleep(latencyMs);
    return this.draw();
  }

  draw(): FaultAction {
    const { resetRate, errorRate, garbageRate } = this.knobs;
    const roll = this.random();
    if (roll < resetRate) return 'reset';
    if (roll < resetRate + errorRate) return 'error';
    if (roll < resetRate + errorRate + garbageRate) return 'garbage';
    return 'answer';
  }
}

/** Reads knobs from `SIM_LATENCY_MS`, `SIM_ERROR_RATE`, `SIM_GARBAGE_RATE`, `SIM_RESET_RATE`. */
export function faultKnobsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<FaultKnobs> {
  const read = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a non-negative number`);
    return number;
  };
  const knobs: Partial<FaultKnobs> = {};
  const latencyMs = read('SIM_LATENCY_MS');
  const errorRate = read('SIM_ERROR_RATE');
  const garbageRate = read('SIM_GARBAGE_RATE');
  const resetRate = read('SIM_RESET_RATE');
  if (latencyMs !== undefined) knobs.latencyMs = latencyMs;
  if (errorRate !== undefined) knobs.errorRate = errorRate;
  if (garbageRate !== undefined) knobs.garbageRate = garbageRate;
  if (resetRate !== undefined) knobs.resetRate = resetRate;
  return knobs;
}
