/**
 * Two measured runs of the same gateway as one figure: `npm run bench` loads
 * the plain gateway first and last and the traced one in between, so that a
 * machine whose speed drifts during the run favours neither. Pure: runs in,
 * figures out.
 */
import { perParty, type CpuSnapshot } from './cpu-accounts';
import type { Measured } from './exchange-load';

const mean = (a: number, b: number): number => (a + b) / 2;
/** Latencies to a tenth of a millisecond: autocannon reports them in whole ms, their mean may end in .5. */
const tenths = (ms: number): number => Math.round(ms * 10) / 10;

/** CPU µs per request by party over both runs: each run's figure weighted by its requests. */
function cpuOverBoth(first: Measured, second: Measured): CpuSnapshot | undefined {
  const a = first.cpuByParty;
  const b = second.cpuByParty;
  if (a === undefined || b === undefined) return a ?? b;
  const requests = Math.max(1, first.requests + second.requests);
  return perParty((key) => Math.round((a[key] * first.requests + b[key] * second.requests) / requests));
}

/**
 * Both runs as one: req/s and latency percentiles are the mean of the two,
 * requests and failures their sums, CPU per request weighted by each run's
 * requests, and the peak resident set the larger.
 */
export function combineRuns(first: Measured, second: Measured): Measured {
  const cpuByParty = cpuOverBoth(first, second);
  const peaks = [first.peakRssMb, second.peakRssMb].filter((mb): mb is number => mb !== undefined);
  return {
    requestsPerSecond: Math.round(mean(first.requestsPerSecond, second.requestsPerSecond)),
    p50: tenths(mean(first.p50, second.p50)),
    p95: tenths(mean(first.p95, second.p95)),
    p99: tenths(mean(first.p99, second.p99)),
    requests: first.requests + second.requests,
    errors: first.errors + second.errors,
    timeouts: first.timeouts + second.timeouts,
    non2xx: first.non2xx + second.non2xx,
    ...(peaks.length === 0 ? {} : { peakRssMb: Math.max(...peaks) }),
    ...(cpuByParty === undefined ? {} : { cpuMicrosPerRequest: cpuByParty.gateway, cpuByParty }),
  };
}
