/**
 * `npm run bench:cluster`: what a second gateway node buys, and where the
 * single audit sequencer saturates. On one PostgreSQL (a throw-away embedded
 * server, or DATABASE_URL), in one run:
 * 1. one gateway node under the load of `npm run bench` (mess asking for
 *    `saaq.adresse` over mutual TLS, keep-alive), straight to the node, and
 *    through a TCP load balancer that passes TLS through;
 * 2. two nodes on the same database behind that load balancer, the same
 *    load, each node's share read from its own metrics;
 *    1 and 2 in BENCH_ROUNDS rounds whose order alternates, so that on a
 *    machine shared with other work runs made one after the other compare;
 * 3. the audit sequencer alone (sequencer-stress.ts): one sequencer on one
 *    chain, two sharing it, two chains; on the same server and, unless
 *    DATABASE_URL is set, on a throw-away server with durable commits too.
 * During 1 and 2, the sequencer's batches are read from each node's
 * `passerelle_audit_batch_records` histogram, the records from the chain's
 * head and the commits from pg_stat_database.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Options } from 'autocannon';
import { Client } from 'pg';
import { GATEWAY_MAIN, processStat, startGateway, stopGateway, type Gateway } from '../test/support/gateway-process';
import { RoundRobinProxy } from '../test/support/tcp-proxy';
import { withBenchPostgres, withMigratedDatabase, writeResult } from './bench-postgres';
import { postmasterOf } from './cpu-accounts';
import {
  phaseLines,
  round1,
  scalingLines,
  stressLines,
  summarise,
  type NodeFigures,
  type Phase,
} from './cluster-report';
import {
  CONNECTIONS,
  exchangeOptions,
  grantConsent,
  measureRun,
  messIdentifier,
  run,
  SECONDS,
  WARMUP_SECONDS,
} from './exchange-load';
import { bucketQuantile, histogram, parseSamples, scrape, since, spread, type Sample } from './node-metrics';
import { stressSequencer, type LevelSpec, type StressReport } from './sequencer-stress';

/** Rounds of one node then two behind the load balancer (the order alternates), to see through a busy machine. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STRESS_SECONDS = Number(process.env.BENCH_STRESS_SECONDS ?? 5);
/**
 * One sequencer on one chain, more and more callers; two sharing one chain (two nodes today), and two chains of
 * one sequencer each (one chain per node), with as many callers in all as the single sequencer at 32 and 1024.
 */
const STRESS_LEVELS: LevelSpec[] = [
  ...[1, 32, 128, 1024].map((concurrency) => ({ chains: 1, perChain: 1, concurrency })),
  { chains: 1, perChain: 2, concurrency: 16 },
  { chains: 1, perChain: 2, concurrency: 512 },
  { chains: 2, perChain: 1, concurrency: 512 },
];
/** BENCH_DURABLE=false: no stress on a second, durable, embedded server. */
const DURABLE = process.env.BENCH_DURABLE !== 'false';
const EXCHANGES = { listener: 'agency', method: 'POST', route: '/v1/exchanges' };
const LATENCY = 'passerelle_http_request_duration_seconds';
const BATCHES = 'passerelle_audit_batch_records';

interface NodeReading {
  cpuMicros: number;
  samples: Sample[];
}

interface DatabaseReading {
  commits: number;
  rollbacks: number;
  /** The chain's head seq: records so far (seqs are gapless). */
  head: number;
}

const loadAverage = (): number[] => loadavg().map(round1);

async function readNode(gateway: Gateway): Promise<NodeReading> {
  return {
    cpuMicros: processStat(gateway.child.pid ?? 0).cpuMicros,
    samples: parseSamples(await scrape(gateway.metricsPort)),
  };
}

async function readDatabase(url: string): Promise<DatabaseReading> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const [row] = (
      await db.query<{ commits: string; rollbacks: string; head: string | null }>(
        `SELECT xact_commit AS commits, xact_rollback AS rollbacks, (SELECT max(seq) FROM audit_event) AS head
         FROM pg_stat_database WHERE datname = current_database()`,
      )
    ).rows;
    return { commits: Number(row.commits), rollbacks: Number(row.rollbacks), head: Number(row.head ?? 0) };
  } finally {
    await db.end();
  }
}

function nodeFigures(node: string, before: NodeReading, after: NodeReading): NodeFigures {
  const answers: Record<string, number> = {};
  for (const sample of after.samples) {
    if (sample.name !== `${LATENCY}_count` || sample.labels.route !== EXCHANGES.route) continue;
    const earlier = before.samples.find((s) => s.name === sample.name && s.labels.status === sample.labels.status);
    const count = sample.value - (earlier?.value ?? 0);
    if (count > 0) answers[sample.labels.status] = count;
  }
  const latency = since(histogram(before.samples, LATENCY, EXCHANGES), histogram(after.samples, LATENCY, EXCHANGES));
  const batches = since(histogram(before.samples, BATCHES), histogram(after.samples, BATCHES));
  const requests = Object.values(answers).reduce((sum, n) => sum + n, 0);
  return {
    node,
    requestsPerSecond: Math.round(requests / SECONDS),
    answers,
    p50AtMostMs: round1(bucketQuantile(latency, 0.5) * 1000),
    p99AtMostMs: round1(bucketQuantile(latency, 0.99) * 1000),
    cpuMicrosPerRequest: Math.round((after.cpuMicros - before.cpuMicros) / Math.max(1, requests)),
    auditRecordsPerSecond: Math.round(batches.sum / SECONDS),
    auditBatchesPerSecond: Math.round(batches.count / SECONDS),
    meanBatch: round1(batches.sum / Math.max(1, batches.count)),
    batchSizes: spread(batches),
  };
}

/**
 * Warm-up, then the measured run at `port` with every node's metrics and
 * CPU, and the database's commits and chain head, read around it.
 */
async function measurePhase(
  name: string,
  options: Options,
  nodes: Gateway[],
  databaseUrl: string,
  postmaster: number | undefined,
): Promise<Phase> {
  process.stdout.write(`${name}...\n`);
  const average = loadAverage();
  await run({ ...options, duration: WARMUP_SECONDS });
  const [nodesBefore, dbBefore] = [await Promise.all(nodes.map(readNode)), await readDatabase(databaseUrl)];
  const exchange = await measureRun(
    options,
    nodes.map((node) => node.child.pid ?? 0),
    postmaster,
  );
  const [nodesAfter, dbAfter] = [await Promise.all(nodes.map(readNode)), await readDatabase(databaseUrl)];
  const perNode = nodes.map((_, i) => nodeFigures(String.fromCharCode(65 + i), nodesBefore[i], nodesAfter[i]));
  const records = dbAfter.head - dbBefore.head;
  const batches = perNode.reduce((sum, n) => sum + n.auditBatchesPerSecond, 0);
  return {
    name,
    nodeCount: nodes.length,
    balanced: false,
    loadAverage: average,
    exchange,
    nodes: perNode,
    audit: {
      recordsPerSecond: Math.round(records / SECONDS),
      recordsPerRequest: round1(records / Math.max(1, exchange.requests)),
      batchesPerSecond: batches,
      meanBatch: round1(records / SECONDS / Math.max(1, batches)),
      databaseCommitsPerSecond: Math.round((dbAfter.commits - dbBefore.commits) / SECONDS),
      databaseRollbacks: dbAfter.rollbacks - dbBefore.rollbacks,
    },
  };
}

/** Through a load balancer that passes TLS through to `nodes`. */
async function throughBalancer(
  nodes: Gateway[],
  options: (port: number) => Options,
  databaseUrl: string,
  postmaster: number | undefined,
): Promise<Phase> {
  const proxy = new RoundRobinProxy(nodes.map((node) => ({ host: '127.0.0.1', port: node.agencyPort })));
  await proxy.start();
  const name = `${nodes.length} node${nodes.length > 1 ? 's' : ''}, load balancer`;
  try {
    const phase = await measurePhase(name, options(proxy.port), nodes, databaseUrl, postmaster);
    return { ...phase, balanced: true, balancedConnections: [...proxy.connections] };
  } finally {
    await proxy.stop();
  }
}

/** The load through a load balancer to every node, BENCH_WARMUP_SECONDS × 4. */
async function warmUp(nodes: Gateway[], options: (port: number) => Options): Promise<void> {
  process.stdout.write('warming both nodes up...\n');
  const proxy = new RoundRobinProxy(nodes.map((node) => ({ host: '127.0.0.1', port: node.agencyPort })));
  await proxy.start();
  try {
    await run({ ...options(proxy.port), duration: WARMUP_SECONDS * 4 });
  } finally {
    await proxy.stop();
  }
}

async function exchangePhases(): Promise<{ phases: Phase[]; stress: StressReport }> {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-bench-cluster-'));
  const certsDir = join(dir, 'a', 'certs');
  try {
    return await withMigratedDatabase(async (url, { applicationUrl }) => {
      const adminUrl = new URL(url);
      adminUrl.pathname = '/postgres';
      const postmaster = await postmasterOf(url);
      // The demo's SQL source makes a database of its own: with the server's superuser, not the gateway's login.
      const node = (name: string, env: Record<string, string> = {}): Promise<Gateway> =>
        startGateway({ databaseUrl: applicationUrl, dir: join(dir, name), simulatorDatabaseUrl: url, env });
      const nodes: Gateway[] = [];
      const phases: Phase[] = [];
      try {
        nodes.push(await node('a'));
        await grantConsent(nodes[0], certsDir);
        const citizen = await messIdentifier(certsDir);
        const load = (port: number): Options => exchangeOptions(port, certsDir, citizen);
        // The second node shares the first's keys and certificates, as nodes of one deployment do. It stays up,
        // idle, while the load goes to the first alone.
        nodes.push(await node('b', { CERTS_DIR: certsDir, GENERATE_DEV_PKI: 'false' }));
        const direct = (): Promise<Phase> =>
          measurePhase('1 node, direct', load(nodes[0].agencyPort), nodes.slice(0, 1), url, postmaster);
        const balanced = (count: number) => (): Promise<Phase> =>
          throughBalancer(nodes.slice(0, count), load, url, postmaster);
        const order = [direct, balanced(1), balanced(2)];
        // Both nodes compiled hot before the first round, so that the first node is not measured warm and the second cold.
        await warmUp(nodes, load);
        for (let round = 1; round <= ROUNDS; round++) {
          for (const measure of round % 2 === 1 ? order : [...order].reverse()) {
            phases.push({ ...(await measure()), round });
          }
        }
      } finally {
        await Promise.all(nodes.map(stopGateway));
      }
      process.stdout.write('the sequencer alone, on the same server...\n');
      return { phases, stress: await stressSequencer(adminUrl.toString(), STRESS_LEVELS, STRESS_SECONDS) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sequencer alone on a throw-away server whose commits wait for the disk; none with DATABASE_URL. */
async function durableStress(): Promise<StressReport | undefined> {
  const given = process.env.DATABASE_URL;
  if (!DURABLE || (given !== undefined && given !== '')) return undefined;
  process.stdout.write('the sequencer alone, on a server with durable commits...\n');
  return withBenchPostgres((adminUrl) => stressSequencer(adminUrl, STRESS_LEVELS, STRESS_SECONDS), { durable: true });
}

async function main(): Promise<void> {
  if (!existsSync(GATEWAY_MAIN)) throw new Error('dist/main.js is missing: npm run build');
  const startedLoad = loadAverage();
  const { phases, stress } = await exchangePhases();
  const durable = await durableStress();
  const cores = availableParallelism();
  const scaling = summarise(phases, cores);
  process.stdout.write(
    [
      '',
      `${CONNECTIONS} connections, ${SECONDS} s after ${WARMUP_SECONDS} s of warm-up, keep-alive, mutual TLS; ` +
        `${cores} cores, load average ${startedLoad.join(' ')} at the start`,
      ...phases.flatMap(phaseLines),
      ...scalingLines(scaling, cores),
      ...stressLines('the sequencer alone, on the same server', stress, STRESS_SECONDS),
      ...(durable === undefined ? [] : stressLines('the sequencer alone, durable commits', durable, STRESS_SECONDS)),
      '',
    ].join('\n'),
  );
  const file = writeResult('cluster-scaling', {
    node: process.version,
    cores,
    loadAverageAtStart: startedLoad,
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    rounds: ROUNDS,
    stressSeconds: STRESS_SECONDS,
    phases,
    scaling,
    sequencer: { sameServer: stress, durable },
    loadAverageAtEnd: loadAverage(),
  });
  process.stdout.write(`written to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
