/**
 * Soak: the gateway as its own process (`node dist/main.js`), fed brokered
 * exchanges over mutual TLS at a steady rate, a warm-up and then a minute.
 * A leak shows as a resident set that keeps growing under a load that does
 * not; the bound is 10% over the resident set at the end of the warm-up.
 * The figures go to test/artifacts/soak.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon, { type Result } from 'autocannon';
import { testEnv } from '../setup/test-env';
import { tlsOptionsFor } from '../support/agency-client';
import { citizenIdOf } from '../support/citizen-ids';
import { rssMb, stopGateway, type Gateway } from '../support/gateway-process';
import { startChildGateway } from '../support/child-gateway-env';

const RATE = 150;
const CONNECTIONS = 4;
const SECONDS = 60;
const MAX_GROWTH = 0.1;
/** autocannon paces each connection by the second; a rate that held delivers at least this share. */
const MIN_DELIVERED = 0.9;
/**
 * The warm-up lasts until V8 has sized the heap to the gateway's working set
 * and the resident set has settled there. Until its first full (mark-compact)
 * collection V8 lets the old generation grow to a start-up limit far above the
 * live data (here ~150 MB, some 45 s into the load); that collection sets the
 * limit from the live size and the next ones give the surplus pages back,
 * often undershooting, after which the heap grows back to its working size. A
 * resident set measured before that, or at the bottom of that dip, would
 * count start-up sizing as growth. Settled: the last SETTLE_SAMPLES samples
 * (one a second) lie within SETTLE_BAND of one another; the baseline is their
 * highest. A leak never settles; the warm-up then ends at MAX_WARMUP_SECONDS
 * and the minute that follows shows the growth.
 */
const WARMUP_SECONDS = 15;
/**
 * The heap a container with 1 GB of memory gives Node (V8 sizes the old
 * generation to a quarter of the memory it is given). Left to size itself from
 * this machine's memory, V8 lets the old generation grow to up to four times the
 * live data between full collections, and the resident set then swings by
 * tens of megabytes with when the last full collection ran, which no leak
 * bound of 10% can tell from growth. A leak still shows: the live data, and
 * the heap V8 keeps for it, grow; one past the cap ends the process.
 */
const HEAP_FLAGS = ['--max-old-space-size=256'];
const MAX_WARMUP_SECONDS = 120;
const SETTLING_COLLECTIONS = 3;
const SETTLE_SAMPLES = 20;
const SETTLE_BAND = 0.05;
const CITIZEN = 'demo-citizen-1';
const ARTIFACT = join(__dirname, '..', 'artifacts', 'soak.json');

/** mess asks for the citizen's address at RATE requests per second, for at most `seconds`. */
function steadyLoad(gateway: Gateway, seconds: number): { stop(): void; done: Promise<Result> } {
  let instance: autocannon.Instance | undefined;
  const done = new Promise<Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: `https://127.0.0.1:${gateway.agencyPort}/v1/exchanges`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          product: 'saaq.adresse',
          version: 1,
          purpose: 'mess.aide-sociale',
          citizen: citizenIdOf('mess', CITIZEN),
        }),
        connections: CONNECTIONS,
        overallRate: RATE,
        pipelining: 1,
        duration: seconds,
        tlsOptions: tlsOptionsFor(testEnv('certsDir'), 'mess'),
      },
      (error: unknown, result) => {
        if (error === null || error === undefined) resolve(result);
        else reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
      },
    );
  });
  return { stop: () => instance?.stop(), done };
}

/** Full (mark-compact) collections the gateway has run, from its own metrics. */
async function majorCollections(gateway: Gateway): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
  // The metric is declared from the start; prom-client writes a kind's count once a collection of that kind has run
  // (on Node.js 24 the gateway may not have collected at all yet when first asked).
  if (!text.includes('# TYPE nodejs_gc_duration_seconds histogram'))
    throw new Error('the gateway reports no GC counts');
  const count = /^nodejs_gc_duration_seconds_count\{[^}]*kind="major"[^}]*\} (\d+)/m.exec(text);
  return Number(count?.[1] ?? 0);
}

interface Warmup {
  result: Result;
  seconds: number;
  collections: number;
  rssMb: number[];
  settled: boolean;
  /** The highest resident set of the warm-up's last SETTLE_SAMPLES seconds. */
  baselineRssMb: number;
}

/** True when the last SETTLE_SAMPLES samples lie within SETTLE_BAND of one another. */
function settled(samples: readonly number[]): boolean {
  if (samples.length < SETTLE_SAMPLES) return false;
  const last = samples.slice(-SETTLE_SAMPLES);
  return Math.max(...last) <= (1 + SETTLE_BAND) * Math.min(...last);
}

/**
 * The steady load for at least WARMUP_SECONDS, until SETTLING_COLLECTIONS full
 * collections have run and the resident set has settled (MAX_WARMUP_SECONDS at most).
 */
async function warmUp(gateway: Gateway, pid: number): Promise<Warmup> {
  const before = await majorCollections(gateway);
  const started = Date.now();
  const load = steadyLoad(gateway, MAX_WARMUP_SECONDS);
  const samples: number[] = [];
  let collections = 0;
  let stopping = false;
  while (!(await Promise.race([load.done.then(() => true), delay(1000).then(() => false)]))) {
    samples.push(rssMb(pid));
    collections = (await majorCollections(gateway)) - before;
    const due = Date.now() - started >= WARMUP_SECONDS * 1000 && collections >= SETTLING_COLLECTIONS;
    if (!stopping && due && settled(samples)) {
      stopping = true;
      load.stop();
    }
  }
  return {
    result: await load.done,
    seconds: (Date.now() - started) / 1000,
    collections,
    rssMb: samples,
    settled: settled(samples),
    baselineRssMb: Math.max(...samples.slice(-SETTLE_SAMPLES)),
  };
}

/** The resident set once a second until stopped; the last sample is taken at the stop. */
function sampleRss(pid: number): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssMb(pid)), 1000);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(rssMb(pid));
      return samples;
    },
  };
}

describe('Soak', () => {
  let gateway: Gateway | undefined;

  beforeAll(async () => {
    gateway = await startChildGateway('soak', CITIZEN, {}, HEAP_FLAGS);
  }, 90_000);

  afterAll(async () => {
    if (gateway !== undefined) await stopGateway(gateway);
  }, 30_000);

  it(`holds ${RATE} exchanges/s for ${SECONDS} s, every one 2xx, its resident set growing less than 10% after the warm-up`, async () => {
    const soaked = gateway as Gateway;
    const pid = soaked.child.pid as number;
    const warmup = await warmUp(soaked, pid);
    expect(warmup.result.non2xx + warmup.result.errors + warmup.result.timeouts).toBe(0);

    const { baselineRssMb } = warmup;
    const collectionsBefore = await majorCollections(soaked);
    const sampler = sampleRss(pid);
    const result = await steadyLoad(soaked, SECONDS).done;
    const samples = sampler.stop();
    const maxRssMb = Math.max(...samples);
    const figures = {
      node: process.version,
      database: (process.env.DATABASE_URL ?? '') === '' ? 'embedded' : 'DATABASE_URL',
      rate: RATE,
      connections: CONNECTIONS,
      warmup: {
        seconds: warmup.seconds,
        requests: warmup.result.requests.total,
        majorCollections: warmup.collections,
        settled: warmup.settled,
        rssMb: warmup.rssMb,
      },
      seconds: SECONDS,
      baselineRssMb,
      maxRssMb,
      growthPercent: Math.round((maxRssMb / baselineRssMb - 1) * 1000) / 10,
      requests: result.requests.total,
      expectedRequests: RATE * SECONDS,
      responses2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      majorCollections: (await majorCollections(soaked)) - collectionsBefore,
      rssMb: samples,
    };
    mkdirSync(join(ARTIFACT, '..'), { recursive: true });
    writeFileSync(ARTIFACT, JSON.stringify(figures, null, 2));
    process.stdout.write(
      `soak: ${figures.requests} requests in ${SECONDS} s at ${RATE}/s after ${warmup.seconds} s of warm-up; ` +
        `RSS ${baselineRssMb} MB at the end of the warm-up (${warmup.settled ? 'settled' : 'not settled'}), at most ${maxRssMb} MB after (${figures.growthPercent}%)\n`,
    );

    expect(samples.length).toBeGreaterThanOrEqual(SECONDS - 2);
    expect({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }).toEqual({
      errors: 0,
      timeouts: 0,
      non2xx: 0,
    });
    expect(result['2xx']).toBe(result.requests.total);
    expect(result.requests.total).toBeGreaterThanOrEqual(MIN_DELIVERED * RATE * SECONDS);
    expect(maxRssMb).toBeLessThan((1 + MAX_GROWTH) * baselineRssMb);
  }, 240_000);
});
