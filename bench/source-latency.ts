/**
 * `npm run bench:sources`: the latency of one fetch through each adapter,
 * against its simulator, on this machine. For each demo product it runs a
 * warm-up, then sequential fetches (one in flight: the latency a single
 * exchange pays), then fetches 16 at a time (what the pool sustains), through
 * the same ResilientSource the gateway uses. PostgreSQL comes from
 * DATABASE_URL, or a throw-away embedded cluster.
 */
import { join } from 'node:path';
import { createAdapter } from '../src/adapters/adapter-factory';
import { ADAPTER_KINDS } from '../src/adapters/adapter-kinds';
import { ResilientSource } from '../src/adapters/resilient-source';
import { DEMO_CITIZENS } from '../src/adapters/simulators/demo-records';
import { startDemoSources, type DemoSources } from '../src/adapters/simulators/simulators';
import { DEFAULT_SOURCE_LIMITS } from '../src/adapters/source-adapter';
import type { ProductContract } from '../src/contracts/catalogue';
import { loadContracts } from '../src/contracts/contract-loader';
import { percentile, withBenchPostgres, writeResult } from './bench-postgres';

const WARMUP = 200;
const SEQUENTIAL = 2_000;
const CONCURRENT = 4_000;
const CONCURRENCY = 16;

interface Result {
  product: string;
  adapter: string;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  concurrentPerSecond: number;
}

async function measure(contract: ProductContract, sources: DemoSources): Promise<Result> {
  const { adapter: kind, endpoint } = contract.source;
  const url = sources.endpoints[endpoint as keyof typeof sources.endpoints];
  const source = new ResilientSource(endpoint, createAdapter(contract.source, url, DEFAULT_SOURCE_LIMITS), {
    deadlineMs: 3_000,
    breakerFailures: 5,
    halfOpenAfterMs: 10_000,
  });
  const ids = DEMO_CITIZENS.map((citizen) => citizen.localIds[contract.owner as 'dec' | 'rq' | 'saaq' | 'ramq']);
  const fetchOne = (i: number): Promise<unknown> => source.fetch(ids[i % ids.length], `bench${i}`);
  try {
    for (let i = 0; i < WARMUP; i++) await fetchOne(i);
    const samples: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const started = process.hrtime.bigint();
      await fetchOne(i);
      samples.push(Number(process.hrtime.bigint() - started) / 1_000);
    }
    samples.sort((a, b) => a - b);
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONCURRENT) await fetchOne(next++);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      product: contract.product,
      adapter: kind,
      p50Us: Math.round(percentile(samples, 50)),
      p95Us: Math.round(percentile(samples, 95)),
      p99Us: Math.round(percentile(samples, 99)),
      maxUs: Math.round(samples[samples.length - 1]),
      concurrentPerSecond: Math.round(CONCURRENT / seconds),
    };
  } finally {
    await source.close();
  }
}

async function main(): Promise<void> {
  const results = await withBenchPostgres(async (adminUrl) => {
    const measured: Result[] = [];
    const sources = await startDemoSources({ databaseAdminUrl: adminUrl });
    try {
      const catalogue = loadContracts(join(__dirname, '..', 'schemas'), ADAPTER_KINDS);
      for (const contract of catalogue.contracts) measured.push(await measure(contract, sources));
    } finally {
      await sources.close();
    }
    return measured;
  });
  const rows = results.map(
    (r) =>
      `  ${r.adapter.padEnd(12)} ${r.product.padEnd(24)} p50 ${(r.p50Us / 1000).toFixed(2)} ms  ` +
      `p95 ${(r.p95Us / 1000).toFixed(2)} ms  p99 ${(r.p99Us / 1000).toFixed(2)} ms  ` +
      `${r.concurrentPerSecond} fetches/s at ${CONCURRENCY} in flight`,
  );
  process.stdout.write(`One fetch per adapter, simulator on this machine (${SEQUENTIAL} sequential):\n`);
  process.stdout.write(`${rows.join('\n')}\n`);
  const file = writeResult('sources', {
    node: process.version,
    sequential: SEQUENTIAL,
    concurrency: CONCURRENCY,
    results,
  });
  process.stdout.write(`written to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
