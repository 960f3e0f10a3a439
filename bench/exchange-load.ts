/**
 * `npm run bench`: the brokered exchange under load. The gateway runs as its
 * own process (`node dist/main.js`, as `npm start` runs it) on a throw-away
 * embedded PostgreSQL (or DATABASE_URL), with its simulators; autocannon, in
 * this process, drives `saaq.adresse` over mutual TLS with keep-alive. In the
 * same run: the REST simulator called directly (the gateway's own overhead),
 * and the exchange again with tracing exported over OTLP (its cost). And the
 * floor (bench/floor/): the same work done minimally on the same PostgreSQL,
 * under the same load; the targets are ratios to it.
 *
 * The floor, the plain gateway and the traced one are up side by side, one
 * loaded at a time: each warmed up, then measured in BENCH_ROUNDS rounds of
 * BENCH_SECONDS each, every round in the reverse order of the one before
 * (floor, plain, traced; traced, plain, floor; ...), and each reported as the
 * combination of its runs (bench/measured.ts). A machine whose speed drifts
 * or jumps during the run then weighs on all three alike, rather than on
 * whichever ran then; the REST simulator is measured after the rounds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Options, type Result } from 'autocannon';
import { Client } from 'pg';
import { loadDevIdpKey } from '../src/citizen-auth/dev-idp/dev-idp-key';
import { mintDevToken } from '../src/citizen-auth/dev-idp/dev-token';
import { DEMO_ORGANISATIONS } from '../src/identity/demo-seed';
import { SectorIdentifiers } from '../src/identity/sector-identifier';
import { loadSectorKey } from '../src/identity/sector-key';
import {
  GATEWAY_MAIN,
  peakRssMb,
  START_FLAGS,
  startGateway,
  stopGateway,
  type Gateway,
} from '../test/support/gateway-process';
import { withMigratedDatabase, writeResult } from './bench-postgres';
import {
  cpuPerRequest,
  cpuSnapshot,
  mainThreadLine,
  mainThreadShare,
  mainThreadTimes,
  postmasterOf,
  type CpuSnapshot,
  type MainThreadShare,
} from './cpu-accounts';
import { FLOOR_CONSENTS, withFloorDatabase } from './floor/floor-database';
import { makeFloorPki } from './floor/floor-pki';
import { floorOptions, startFloor, stopFloor } from './floor/floor-process';
import { judgeTargets, tracingCost, verdictLines } from './floor/targets';
import { combineRuns, inRounds } from './measured';
import { memoryLine, memoryOf, stepMeans } from './node-metrics';
import { otlpSink } from './otlp-sink';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** How many rounds of floor, plain and traced runs; each run lasts BENCH_SECONDS (10 s unless set). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const CITIZEN = 'demo-citizen-1';
// BENCH_PROFILE=<dir>: the gateway writes a V8 CPU profile there when it stops.
const PROFILE_DIR = process.env.BENCH_PROFILE;
/** BENCH_NODE_FLAGS: Node and V8 flags for the gateways' command line after npm start's (heap sizing, say), to measure their effect. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
/** The standard sampler and batch-processor variables reach the traced gateway, to measure sampling's effect. */
const TRACING_ENV: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] => /^OTEL_(TRACES_SAMPLER|BSP_)/.test(entry[0]) && entry[1] !== undefined,
  ),
);

export interface Measured {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  peakRssMb?: number;
  cpuMicrosPerRequest?: number;
  /** µs of CPU per request by party: gateway, its companions, PostgreSQL, this load generator, the whole machine. */
  cpuByParty?: CpuSnapshot;
  /** The served process's main thread during the run: on a core, and waiting for one (shares of the run's time). */
  mainThread?: MainThreadShare;
}

export function run(options: Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error: unknown, result) => {
      if (error === null || error === undefined) resolve(result);
      else reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
    });
  });
}

export function summary(result: Result): Measured {
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p95: result.latency.p97_5 === undefined ? result.latency.p90 : latencyP95(result),
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** autocannon reports p90 and p97.5; p95 is read from its histogram when it is there. */
function latencyP95(result: Result): number {
  const histogram = (result as Result & { latency: { p95?: number } }).latency.p95;
  return histogram ?? result.latency.p97_5;
}

/** How mess names the citizen: its sector's identifier, under the key the gateway wrote (the demo's, in development). */
export async function messIdentifier(certsDir: string): Promise<string> {
  const sector = DEMO_ORGANISATIONS.find((organisation) => organisation.id === 'mess')?.sector;
  if (sector === undefined) throw new Error('no demo organisation mess');
  const key = await loadSectorKey(join(certsDir, 'sector-identifier.key'), false);
  return new SectorIdentifiers(key).identifierOf(sector, CITIZEN);
}

/** mess asking for the citizen's address at `port` (a gateway's agency listener, or a load balancer in front). */
export function exchangeOptions(port: number, certsDir: string, citizen: string): Options {
  return {
    url: `https://127.0.0.1:${port}/v1/exchanges`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ product: 'saaq.adresse', version: 1, purpose: 'mess.aide-sociale', citizen }),
    connections: CONNECTIONS,
    pipelining: 1,
    tlsOptions: {
      ca: readFileSync(join(certsDir, 'agency-ca.crt')),
      cert: readFileSync(join(certsDir, 'agencies', 'mess.crt')),
      key: readFileSync(join(certsDir, 'agencies', 'mess.key')),
    },
  };
}

/** The measured run (after a warm-up), with the CPU time of the gateway processes `pids` around it. */
export async function measureRun(
  options: Options,
  pids: readonly number[],
  postmaster?: number,
  seconds = SECONDS,
): Promise<Measured> {
  const before = cpuSnapshot(pids, postmaster);
  const threadBefore = mainThreadTimes(pids[0]);
  const result = await run({ ...options, duration: seconds });
  const threadAfter = mainThreadTimes(pids[0]);
  const measured = summary(result);
  const cpuByParty = cpuPerRequest(before, cpuSnapshot(pids, postmaster), measured.requests);
  const mainThread =
    threadBefore === undefined || threadAfter === undefined ? undefined : mainThreadShare(threadBefore, threadAfter);
  return {
    ...measured,
    cpuMicrosPerRequest: cpuByParty.gateway,
    cpuByParty,
    ...(mainThread === undefined ? {} : { mainThread }),
  };
}

/** The floor while it is up: each call to `measure` is one measured run; its setup time and peak resident set. */
interface FloorUp {
  measure(): Promise<Measured>;
  peakRssMb(): number;
  setupSeconds: number;
}

/**
 * The floor on its own database of the server at `adminUrl`, up and warmed
 * while `work` runs: the same duration and connections as the exchange, with
 * the same accounts. `work` measures it in rounds with the gateways, so that
 * drift during the bench weighs on the floor as on them.
 */
async function withFloor<T>(adminUrl: string, postmaster: number | undefined, work: (floor: FloorUp) => Promise<T>) {
  const pki = await makeFloorPki();
  return withFloorDatabase(adminUrl, async ({ url, setupSeconds }) => {
    const floor = await startFloor({ pki, databaseUrl: url, consents: FLOOR_CONSENTS });
    try {
      const options = floorOptions(floor, pki, CONNECTIONS);
      await run({ ...options, duration: WARMUP_SECONDS });
      const pid = floor.child.pid ?? 0;
      return await work({
        measure: () => measureRun(options, [pid], postmaster, RUN_SECONDS),
        peakRssMb: () => peakRssMb(pid),
        setupSeconds,
      });
    } finally {
      await stopFloor(floor);
    }
  });
}

/** The citizen's consent, granted through the citizen API as a person would. */
export async function grantConsent(gateway: Gateway, certsDir: string): Promise<void> {
  const key = await loadDevIdpKey(join(certsDir, 'dev-idp-key.json'));
  const token = await mintDevToken(key, {
    issuer: `http://localhost:${gateway.idpPort}`,
    audience: 'urn:passerelle:api',
    subject: CITIZEN,
  });
  const response = await fetch(`http://127.0.0.1:${gateway.publicPort}/v1/me/consents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ requester: 'mess', purpose: 'mess.aide-sociale', products: ['saaq.adresse'] }),
  });
  if (response.status !== 201) throw new Error(`consent: ${response.status} ${await response.text()}`);
}

/** Where each request's CPU went; with n cores the machine cannot serve more than n × 1e6 / machine µs requests a second. */
export function parties(m: Measured, server = 'gateway'): string {
  const cpu = m.cpuByParty;
  if (cpu === undefined) return '';
  const cores = availableParallelism();
  const ceiling = Math.round((cores * 1e6) / Math.max(1, cpu.machine));
  return (
    `${server} ${cpu.gateway}, simulators and IdP ${cpu.companions}, PostgreSQL ${cpu.postgres}, ` +
    `load generator ${cpu.loadGenerator}; machine ${cpu.machine} (on ${cores} cores, at most ${ceiling} req/s)`
  );
}

/** How the traced run samples, when the sampler is not the default (every request). */
function sampling(): string {
  const sampler = TRACING_ENV.OTEL_TRACES_SAMPLER;
  if (sampler === undefined) return '';
  const ratio = TRACING_ENV.OTEL_TRACES_SAMPLER_ARG;
  return ` (${sampler}${ratio === undefined ? '' : ` ${ratio}`})`;
}

/** Each run's throughput, in the order they ran. */
function runList(runs: readonly Measured[]): string {
  return runs.map((m) => m.requestsPerSecond).join(', ');
}

export function line(name: string, m: Measured): string {
  const extra =
    m.peakRssMb === undefined ? '' : `  peak RSS ${m.peakRssMb} MB  CPU ${m.cpuMicrosPerRequest ?? 0} µs/req`;
  return (
    `${name.padEnd(26)} ${String(m.requestsPerSecond).padStart(6)} req/s  p50 ${m.p50} ms  p95 ${m.p95} ms  ` +
    `p99 ${m.p99} ms  errors ${m.errors + m.timeouts}  non-2xx ${m.non2xx}${extra}`
  );
}

async function main(): Promise<void> {
  if (readFileSync(GATEWAY_MAIN, { flag: 'r' }).length === 0) throw new Error('dist/main.js is empty: npm run build');
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-bench-load-'));
  const certsDir = join(dir, 'certs');
  const result = await withMigratedDatabase(async (adminUrl, { applicationUrl: databaseUrl }) => {
    // The demo's SQL source makes a database of its own: with the server's superuser, not the gateway's login.
    const gatewayOf = { databaseUrl, dir, simulatorDatabaseUrl: adminUrl, nodeArgs: NODE_FLAGS };
    try {
      // This server's processes only: other PostgreSQL servers on a shared machine are not the bench's.
      const postmaster = await postmasterOf(adminUrl);
      return await withFloor(adminUrl, postmaster, async (floorUp) => {
        const sink = await otlpSink();
        const gateways: Gateway[] = [];
        // Each party's runs, in the order they ran; each gateway's peak resident set, read after them.
        let runs: Record<'floor' | 'exchange' | 'tracing', Measured[]>;
        let peaks: { plain: number; traced: number };
        let direct: Measured;
        let steps: Record<string, number>;
        let memory: { plain: Record<string, number>; traced: Record<string, number> };
        try {
          const plain = await startGateway({ ...gatewayOf, profileDir: PROFILE_DIR });
          gateways.push(plain);
          await grantConsent(plain, certsDir);
          const db = new Client({ connectionString: databaseUrl });
          await db.connect();
          const localId = (
            await db.query<{ local_id: string }>(
              "SELECT local_id FROM citizen_link WHERE pivot_id = $1 AND source = 'saaq'",
              [CITIZEN],
            )
          ).rows[0].local_id;
          await db.end();
          // Up beside the plain one, with its keys and certificates, as a second node of one deployment: its audit
          // mirror folder is its own.
          const traced = await startGateway({
            ...gatewayOf,
            dir: join(dir, 'traced'),
            env: {
              ...TRACING_ENV,
              OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
              CERTS_DIR: certsDir,
              GENERATE_DEV_PKI: 'false',
            },
            profileDir: PROFILE_DIR,
          });
          gateways.push(traced);
          const citizen = await messIdentifier(certsDir);
          const [plainLoad, tracedLoad] = [plain, traced].map((g) => exchangeOptions(g.agencyPort, certsDir, citizen));
          await run({ ...plainLoad, duration: WARMUP_SECONDS });
          await run({ ...tracedLoad, duration: WARMUP_SECONDS });
          const measure = (gateway: Gateway, options: Options): Promise<Measured> =>
            measureRun(options, [gateway.child.pid ?? 0], postmaster, RUN_SECONDS);
          // Floor, plain, traced; traced, plain, floor; ...: drift during the run weighs on all three alike.
          runs = await inRounds(
            {
              floor: () => floorUp.measure(),
              exchange: () => measure(plain, plainLoad),
              tracing: () => measure(traced, tracedLoad),
            },
            ROUNDS,
          );
          steps = await stepMeans(plain.metricsPort);
          memory = { plain: await memoryOf(plain.metricsPort), traced: await memoryOf(traced.metricsPort) };
          peaks = { plain: peakRssMb(plain.child.pid ?? 0), traced: peakRssMb(traced.child.pid ?? 0) };
          const source = { url: `${plain.restSource}/v1/permis/${localId}/adresse`, connections: CONNECTIONS };
          await run({ ...source, duration: WARMUP_SECONDS });
          direct = summary(await run({ ...source, duration: RUN_SECONDS }));
        } finally {
          await Promise.all(gateways.map(stopGateway));
          sink.server.close();
        }
        const exchange = { ...combineRuns(...runs.exchange), peakRssMb: peaks.plain };
        const tracing = { ...combineRuns(...runs.tracing), peakRssMb: peaks.traced };
        const floor = {
          ...combineRuns(...runs.floor),
          peakRssMb: floorUp.peakRssMb(),
          setupSeconds: floorUp.setupSeconds,
        };
        return {
          floor,
          exchange,
          steps,
          memory,
          direct,
          tracing,
          runs,
          otlpExports: sink.received(),
        };
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const cost = tracingCost(result.exchange, result.tracing);
  const sampler = TRACING_ENV.OTEL_TRACES_SAMPLER;
  const everyRequestSampled = sampler === undefined || ['always_on', 'parentbased_always_on'].includes(sampler);
  const targets = judgeTargets({ ...result, everyRequestSampled });
  process.stdout.write(
    [
      `${CONNECTIONS} connections, keep-alive, mutual TLS; after ${WARMUP_SECONDS} s of warm-up each, ${ROUNDS} ` +
        `rounds of ${RUN_SECONDS} s runs: floor, plain, traced, then the reverse order, and so on`,
      line('floor (same work, minimal)', result.floor),
      `  runs: ${runList(result.runs.floor)} req/s`,
      `  CPU µs per request: ${parties(result.floor, 'floor')}`,
      mainThreadLine(result.floor.mainThread, 'floor'),
      `  ${FLOOR_CONSENTS} consents and their index built in ${result.floor.setupSeconds} s`,
      line('exchange (saaq.adresse)', result.exchange),
      `  runs: ${runList(result.runs.exchange)} req/s`,
      `  mean ms by step under load: ${Object.entries(result.steps)
        .map(([step, ms]) => `${step} ${ms}`)
        .join(', ')}`,
      memoryLine(result.memory.plain),
      `  CPU µs per request: ${parties(result.exchange)}`,
      mainThreadLine(result.exchange.mainThread),
      line('REST simulator directly', result.direct),
      line(`exchange, tracing on${sampling()}`, result.tracing),
      `  runs: ${runList(result.runs.tracing)} req/s`,
      `  CPU µs per request: ${parties(result.tracing)}`,
      mainThreadLine(result.tracing.mainThread),
      memoryLine(result.memory.traced),
      `tracing costs ${(cost * 100).toFixed(1)}% of throughput (${result.otlpExports} OTLP exports received)`,
      ...verdictLines(targets),
      '',
    ].join('\n'),
  );
  const file = writeResult('exchange-load', {
    node: process.version,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    seconds: RUN_SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    // As the gateways ran: npm start's flags, then BENCH_NODE_FLAGS (a later flag wins).
    gatewayNodeFlags: [...START_FLAGS, ...NODE_FLAGS],
    tracingEnv: TRACING_ENV,
    ...result,
    tracingCost: cost,
    targets,
  });
  process.stdout.write(`written to ${file}\n`);
}

// Run as `npm run bench`; imported by the other benches for its load and its figures.
if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
