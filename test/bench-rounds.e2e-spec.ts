import type { Measured } from '../bench/exchange-load';
import { mainThreadLine, mainThreadShare, mainThreadTimes, parseSchedstat } from '../bench/cpu-accounts';
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

  it('combines the main thread’s shares as their means, over the runs that have them', () => {
    const combined = combineRuns(
      run(1000, 10_000, 600, { mainThread: { onCore: 0.8, waiting: 0.1 } }),
      run(1000, 10_000, 600),
      run(1000, 10_000, 600, { mainThread: { onCore: 0.9, waiting: 0.2 } }),
    );
    expect(combined.mainThread?.onCore).toBeCloseTo(0.85, 10);
    expect(combined.mainThread?.waiting).toBeCloseTo(0.15, 10);
    expect(combineRuns(run(1000, 10_000, 600)).mainThread).toBeUndefined();
  });
});

/** What bounds a served process: its event loop's time on a core and waiting for one (bench/cpu-accounts.ts). */
describe('The bench: the main thread’s share of a run', () => {
  it('reads a schedstat line: time on a core, then time waiting for one, in ns', () => {
    expect(parseSchedstat('27356880898 4760412997 8712\n')).toEqual({ onCoreNs: 27356880898, waitingNs: 4760412997 });
    expect(() => parseSchedstat('')).toThrow(/not a schedstat line/);
  });

  it('gives the shares of the time between two readings, and says what was idle', () => {
    const share = mainThreadShare(
      { onCoreNs: 1e9, waitingNs: 2e8, atNs: 5e9 },
      { onCoreNs: 9.4e9, waitingNs: 1.5e9, atNs: 15e9 },
    );
    expect(share.onCore).toBeCloseTo(0.84, 10);
    expect(share.waiting).toBeCloseTo(0.13, 10);
    expect(mainThreadLine(share, 'floor')).toBe(
      '  floor main thread: on a core 84% of the time, waiting for one 13%, idle 3%',
    );
    expect(mainThreadLine(undefined)).toMatch(/gateway main thread: not measured/);
  });

  it('reads this process’s own main thread, whose time on a core grows while it computes', () => {
    const before = mainThreadTimes(process.pid);
    expect(before).toBeDefined();
    let spin = 0;
    for (const end = Date.now() + 50; Date.now() < end; ) spin += 1;
    const after = mainThreadTimes(process.pid);
    expect(spin).toBeGreaterThan(0);
    expect(after!.onCoreNs).toBeGreaterThan(before!.onCoreNs);
    expect(after!.atNs).toBeGreaterThan(before!.atNs);
    expect(mainThreadTimes(2 ** 22 + 7)).toBeUndefined();
  });
});
