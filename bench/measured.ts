/**
 * Runs of the same party as one figure, and the order they run in:
 * `npm run bench` measures the floor, the plain gateway and the traced one
 * in rounds, each round in the reverse order of the one before (floor, plain,
 * traced; traced, plain, floor; ...), so that a machine whose speed drifts or
 * jumps during the run weighs on all three alike. Pure, but for `inRounds`,
 * which only calls what it is given.
 */
import { perParty, type CpuSnapshot, type MainThreadShare } from './cpu-accounts';
import type { Measured } from './exchange-load';

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0);
/** Latencies to a tenth of a millisecond: autocannon reports them in whole ms, their mean may not be. */
const tenths = (ms: number): number => Math.round(ms * 10) / 10;

/** CPU µs per request by party over all runs: each run's figure weighted by its requests. */
function cpuOverAll(runs: readonly Measured[]): CpuSnapshot | undefined {
  const counted = runs.filter((run) => run.cpuByParty !== undefined);
  if (counted.length === 0) return undefined;
  const requests = Math.max(1, sum(counted.map((run) => run.requests)));
  return perParty((key) =>
    Math.round(sum(counted.map((run) => (run.cpuByParty as CpuSnapshot)[key] * run.requests)) / requests),
  );
}

/** The main thread's shares over the runs that have them: their means (every run lasts as long). */
function mainThreadOverAll(runs: readonly Measured[]): MainThreadShare | undefined {
  const shares = runs.map((run) => run.mainThread).filter((share): share is MainThreadShare => share !== undefined);
  if (shares.length === 0) return undefined;
  return { onCore: mean(shares.map((share) => share.onCore)), waiting: mean(shares.map((share) => share.waiting)) };
}

/**
 * The runs as one: req/s and latency percentiles are their means, requests
 * and failures their sums, CPU per request weighted by each run's requests,
 * the main thread's shares their means, and the peak resident set the largest.
 */
export function combineRuns(...runs: Measured[]): Measured {
  if (runs.length === 0) throw new Error('no run to combine');
  const cpuByParty = cpuOverAll(runs);
  const mainThread = mainThreadOverAll(runs);
  const peaks = runs.map((run) => run.peakRssMb).filter((mb): mb is number => mb !== undefined);
  return {
    requestsPerSecond: Math.round(mean(runs.map((run) => run.requestsPerSecond))),
    p50: tenths(mean(runs.map((run) => run.p50))),
    p95: tenths(mean(runs.map((run) => run.p95))),
    p99: tenths(mean(runs.map((run) => run.p99))),
    requests: sum(runs.map((run) => run.requests)),
    errors: sum(runs.map((run) => run.errors)),
    timeouts: sum(runs.map((run) => run.timeouts)),
    non2xx: sum(runs.map((run) => run.non2xx)),
    ...(peaks.length === 0 ? {} : { peakRssMb: Math.max(...peaks) }),
    ...(cpuByParty === undefined ? {} : { cpuMicrosPerRequest: cpuByParty.gateway, cpuByParty }),
    ...(mainThread === undefined ? {} : { mainThread }),
  };
}

/** The order of `parties` in round `round` (from 0): as given in even rounds, reversed in odd ones. */
export function roundOrder<K>(parties: readonly K[], round: number): K[] {
  return round % 2 === 0 ? [...parties] : [...parties].reverse();
}

/** Each party measured once a round, `rounds` times, in `roundOrder`; every party's runs in the order they ran. */
export async function inRounds<K extends string>(
  measure: Record<K, () => Promise<Measured>>,
  rounds: number,
): Promise<Record<K, Measured[]>> {
  const parties = Object.keys(measure) as K[];
  const runs = Object.fromEntries(parties.map((party) => [party, [] as Measured[]])) as Record<K, Measured[]>;
  for (let round = 0; round < rounds; round++) {
    for (const party of roundOrder(parties, round)) runs[party].push(await measure[party]());
  }
  return runs;
}
