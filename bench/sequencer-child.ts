/**
 * One audit sequencer (the gateway's AuditLog, as it is) in a process of its
 * own, as in a gateway node, with the exchange cut out: `concurrency`
 * callers append one record after another, each waiting for its record to
 * be committed and the head signed, as an exchange waits. Started and driven
 * by sequencer-stress.ts over IPC.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PinoLogger } from 'nestjs-pino';
import { AuditLog } from '../src/audit/audit-log';
import type { AuditEntry } from '../src/audit/audit-chain';
import { Readiness } from '../src/platform/health/readiness';
import { Metrics } from '../src/platform/metrics/metrics';
import { loadSigningKey } from '../src/platform/signing/signing-key';
import { percentile } from './bench-postgres';
import { histogram, parseSamples, since, spread, type Histogram } from './node-metrics';

export interface ChildRun {
  concurrency: number;
  seconds: number;
}

/** What one sequencer did in a run. */
export interface ChildResult {
  records: number;
  failures: number;
  batches: number;
  elapsedSeconds: number;
  /** From the call to append until its promise settled, ms. */
  appendP50Ms: number;
  appendP99Ms: number;
  /** Batches by size bucket (upper bound → batches). */
  batchSizes: Record<string, number>;
}

export type ChildMessage =
  | { kind: 'ready' }
  | { kind: 'result'; result: ChildResult }
  | { kind: 'failed'; error: string };
export type ParentMessage = { kind: 'run'; run: ChildRun } | { kind: 'stop' };

const BATCH_METRIC = 'passerelle_audit_batch_records';

/** An exchange's outcome record, as large as the gateway writes for `saaq.adresse`. */
function outcome(n: number): AuditEntry {
  return {
    kind: 'exchange.outcome',
    organisation: 'mess',
    citizen: `stress-citizen-${n % 1000}`,
    product: 'saaq.adresse',
    purpose: 'mess.aide-sociale',
    decision: 'allow',
    correlationId: randomUUID(),
    details: {
      basis: 'consent',
      exchangeId: randomUUID(),
      consentId: randomUUID(),
      fields: ['adresse', 'municipalite', 'codePostal'],
    },
  };
}

async function batches(metrics: Metrics): Promise<Histogram> {
  return histogram(parseSamples(await metrics.registry.metrics()), BATCH_METRIC);
}

async function stress(audit: AuditLog, metrics: Metrics, { concurrency, seconds }: ChildRun): Promise<ChildResult> {
  const before = await batches(metrics);
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  const latencies: number[] = [];
  let failures = 0;
  let n = 0;
  const caller = async (): Promise<void> => {
    while (process.hrtime.bigint() < deadline) {
      const at = process.hrtime.bigint();
      try {
        await audit.append(outcome(n++));
        latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const observed = since(before, await batches(metrics));
  latencies.sort((a, b) => a - b);
  const round = (ms: number | undefined): number => Math.round((ms ?? NaN) * 100) / 100;
  return {
    records: latencies.length,
    failures,
    batches: observed.count,
    elapsedSeconds,
    appendP50Ms: round(percentile(latencies, 50)),
    appendP99Ms: round(percentile(latencies, 99)),
    batchSizes: spread(observed),
  };
}

async function main(): Promise<void> {
  const send = (message: ChildMessage): void => void process.send?.(message);
  const { STRESS_DATABASE_URL: databaseUrl, STRESS_DIR: dir, STRESS_KEY_FILE: keyFile } = process.env;
  if (databaseUrl === undefined || dir === undefined || keyFile === undefined) {
    throw new Error('STRESS_DATABASE_URL, STRESS_DIR and STRESS_KEY_FILE are required');
  }
  const metrics = new Metrics();
  // As the gateway configures it by default: a signed checkpoint every 1,000 records or 10 s.
  const audit = new AuditLog(
    {
      databaseUrl,
      pseudonymKey: randomBytes(32),
      checkpointDir: dir,
      checkpointEvery: 1000,
      checkpointIntervalMs: 10_000,
    },
    await loadSigningKey(keyFile),
    new PinoLogger({ pinoHttp: { level: 'warn' } }),
    new Readiness(),
    metrics,
  );
  // The parent gone, nothing drives this sequencer any more.
  process.on('disconnect', () => process.exit());
  await audit.onApplicationBootstrap();
  if (audit.alarmReason !== undefined) throw new Error(`the sequencer did not start: ${audit.alarmReason}`);
  process.on('message', (message: ParentMessage) => {
    if (message.kind === 'run') {
      stress(audit, metrics, message.run).then(
        (result) => send({ kind: 'result', result }),
        (error: unknown) => send({ kind: 'failed', error: String(error) }),
      );
    } else {
      void audit.onApplicationShutdown().finally(() => process.disconnect());
    }
  });
  send({ kind: 'ready' });
}

main().catch((error: unknown) => {
  process.send?.({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
