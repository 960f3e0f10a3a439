import type { Measured } from '../bench/exchange-load';
import { combineRuns, inRounds, roundOrder } from '../bench/measured';

/** A measured run with `rps` req/s over `requests` requests, and the gateway's CPU per request. */
const run = (rps: number, requests: number, gateway: number, extra: Partial<Measured> = {}): Measured => ({
  requestsPerSecond: rps,
  p50: rps / 100,
  p95: rps / 50,
  p99: rps / 10,
  requests,
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  cpuByParty: { gateway, companions: 0, postgres: 100, loadGenerator: 10, machine: gateway + 110 },
  ...extra,
});

/** How `npm run bench` orders and combines its runs (bench/measured.ts). */
describe('The bench: runs in rounds, combined', () => {
  it('reverses the order of the parties every other round', () => {
    const parties = ['floor', 'plain', 'traced'];
    expect([0, 1, 2, 3].map((round) => roundOrder(parties, round).join(' '))).toEqual([
      'floor plain traced',
      'traced plain floor',
      'floor plain traced',
      'traced plain floor',
    ]);
    expect(parties).toEqual(['floor', 'plain', 'traced']);
  });

  it('measures each party once a round, in that order, and keeps each party’s runs in the order they ran', async () => {
    const order: string[] = [];
    const measure = (party: string) => (): Promise<Measured> => {
      order.push(party);
      return Promise.resolve(run(order.length, 1, 1));
    };
    const runs = await inRounds({ a: measure('a'), b: measure('b') }, 3);
    expect(order).toEqual(['a', 'b', 'b', 'a', 'a', 'b']);
    expect(runs.a.map((m) => m.requestsPerSecond)).toEqual([1, 4, 5]);
    expect(runs.b.map((m) => m.requestsPerSecond)).toEqual([2, 3, 6]);
  });

  it('combines any number of runs: means of rates and percentiles, sums of counts, CPU weighted by requests', () => {
    const combined = combineRuns(
      run(1000, 10_000, 600, { errors: 1, peakRssMb: 180 }),
      run(1200, 30_000, 400, { non2xx: 2, peakRssMb: 190 }),
      run(1100, 20_000, 500),
    );
    expect(combined).toMatchObject({ requestsPerSecond: 1100, p50: 11, p99: 110, requests: 60_000 });
    expect([combined.errors, combined.non2xx, combined.peakRssMb]).toEqual([1, 2, 190]);
    // (600 × 10k + 400 × 30k + 500 × 20k) / 60k
    expect(combined.cpuMicrosPerRequest).toBe(467);
    expect(combined.cpuByParty?.machine).toBe(577);
    expect(() => combineRuns()).toThrow(/no run/);
  });
});
