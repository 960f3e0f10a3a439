/**
 * How far one audit chain goes on a PostgreSQL server: the gateway's
 * sequencer (AuditLog) in processes of their own, with no exchange in front,
 * appending as fast as `concurrency` waiting callers let it. One sequencer on
 * one chain; two sequencers sharing one chain, as two gateway nodes do today;
 * and two chains side by side, one sequencer each (each chain its own
 * database on the same server), as one chain per node would be.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensureDevSigningKey } from '../src/platform/signing/signing-key';
import { withMigratedDatabaseOn } from './bench-postgres';
import { cpuPerRequest, cpuSnapshot, postmasterOf, type CpuSnapshot } from './cpu-accounts';
import type { ChildMessage, ChildResult, ChildRun, ParentMessage } from './sequencer-child';

/** `chains` chains with `perChain` sequencers each, `concurrency` callers per sequencer. */
export interface LevelSpec {
  chains: number;
  perChain: number;
  concurrency: number;
}

export interface StressLevel extends LevelSpec {
  recordsPerSecond: number;
  batchesPerSecond: number;
  meanBatch: number;
  /** The slowest chain's. */
  appendP50Ms: number;
  appendP99Ms: number;
  failures: number;
  /** µs of CPU per record: `gateway` is the sequencer processes, `loadGenerator` this one (idle here). */
  cpuMicrosPerRecord: CpuSnapshot;
  perSequencer: ChildResult[];
}

export interface ServerSettings {
  version: string;
  fsync: string;
  synchronousCommit: string;
  walSyncMethod: string;
}

export interface StressReport {
  settings: ServerSettings;
  levels: StressLevel[];
}

const CHILD = join(__dirname, 'sequencer-child.ts');
const START_TIMEOUT_MS = 120_000;

class Sequencer {
  private waiting: ((message: ChildMessage) => void) | undefined;
  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: ChildMessage) => this.waiting?.(message));
    child.on('exit', (code) => this.waiting?.({ kind: 'failed', error: `the sequencer exited (${String(code)})` }));
  }

  static async start(databaseUrl: string, dir: string, keyFile: string): Promise<Sequencer> {
    const child = fork(CHILD, [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      env: { ...process.env, STRESS_DATABASE_URL: databaseUrl, STRESS_DIR: dir, STRESS_KEY_FILE: keyFile },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const sequencer = new Sequencer(child);
    await sequencer.next('ready', START_TIMEOUT_MS);
    return sequencer;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async run(run: ChildRun): Promise<ChildResult> {
    const answer = this.next('result', (run.seconds + 60) * 1000);
    this.send({ kind: 'run', run });
    const message = await answer;
    if (message.kind !== 'result') throw new Error('no result');
    return message.result;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ kind: 'stop' });
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(kill);
  }

  private send(message: ParentMessage): void {
    this.child.send(message);
  }

  private next(kind: ChildMessage['kind'], timeoutMs: number): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sequencer sent no ${kind}`)), timeoutMs);
      this.waiting = (message) => {
        clearTimeout(timer);
        this.waiting = undefined;
        if (message.kind === kind) resolve(message);
        else reject(new Error(message.kind === 'failed' ? message.error : `unexpected ${message.kind}`));
      };
    });
  }
}

async function settingsOf(adminUrl: string): Promise<ServerSettings> {
  const db = new Client({ connectionString: adminUrl });
  await db.connect();
  try {
    const [row] = (
      await db.query<ServerSettings>(
        `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
                current_setting('synchronous_commit') AS "synchronousCommit",
                current_setting('wal_sync_method') AS "walSyncMethod"`,
      )
    ).rows;
    return row;
  } finally {
    await db.end();
  }
}

/** One level: the sequencers it names at once, each with its callers, with their CPU around it. */
async function level(
  sequencers: Sequencer[][],
  spec: LevelSpec,
  seconds: number,
  postmaster: number | undefined,
): Promise<StressLevel> {
  const running = sequencers.slice(0, spec.chains).flatMap((chain) => chain.slice(0, spec.perChain));
  const pids = running.map((s) => s.pid);
  const before = cpuSnapshot(pids, postmaster);
  const perSequencer = await Promise.all(running.map((s) => s.run({ concurrency: spec.concurrency, seconds })));
  const records = perSequencer.reduce((sum, r) => sum + r.records, 0);
  const batches = perSequencer.reduce((sum, r) => sum + r.batches, 0);
  const elapsed = Math.max(...perSequencer.map((r) => r.elapsedSeconds));
  return {
    ...spec,
    recordsPerSecond: Math.round(records / elapsed),
    batchesPerSecond: Math.round(batches / elapsed),
    meanBatch: Math.round((records / Math.max(1, batches)) * 10) / 10,
    appendP50Ms: Math.max(...perSequencer.map((r) => r.appendP50Ms)),
    appendP99Ms: Math.max(...perSequencer.map((r) => r.appendP99Ms)),
    failures: perSequencer.reduce((sum, r) => sum + r.failures, 0),
    cpuMicrosPerRecord: cpuPerRequest(before, cpuSnapshot(pids, postmaster), records),
    perSequencer,
  };
}

/**
 * The sequencer stress on the server of `adminUrl`: each of `levels` in
 * turn, `seconds` long, every chain on a fresh migrated database of its own.
 */
export async function stressSequencer(
  adminUrl: string,
  levels: readonly LevelSpec[],
  seconds: number,
): Promise<StressReport> {
  const chains = Math.max(...levels.map((l) => l.chains));
  const perChain = Math.max(...levels.map((l) => l.perChain));
  const scratch = mkdtempSync(join(tmpdir(), 'passerelle-bench-sequencer-'));
  const keyFile = join(scratch, 'signing-key.pem');
  await ensureDevSigningKey(keyFile);
  const postmaster = await postmasterOf(adminUrl);
  // Nested: a database per chain, all dropped at the end.
  const withDatabases = async <T>(count: number, work: (urls: string[]) => Promise<T>): Promise<T> =>
    count === 0
      ? work([])
      : withMigratedDatabaseOn(adminUrl, (_, { applicationUrl }) =>
          withDatabases(count - 1, (urls) => work([applicationUrl, ...urls])),
        );
  try {
    return await withDatabases(chains, async (urls) => {
      // Each sequencer its own folder for its mirror of the evidence, as each node has.
      const dirs = urls.flatMap((url, i) =>
        Array.from({ length: perChain }, (_, j) => ({ url, dir: join(scratch, `chain-${i}-sequencer-${j}`) })),
      );
      const settled = await Promise.allSettled(
        dirs.map(({ url, dir }) => {
          mkdirSync(dir);
          return Sequencer.start(url, dir, keyFile);
        }),
      );
      const all = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      try {
        const failed = settled.find((s) => s.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
        const sequencers = urls.map((_, i) => all.slice(i * perChain, (i + 1) * perChain));
        const measured: StressLevel[] = [];
        for (const spec of levels) measured.push(await level(sequencers, spec, seconds, postmaster));
        return { settings: await settingsOf(adminUrl), levels: measured };
      } finally {
        await Promise.all(all.map((s) => s.stop()));
      }
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** What a level runs, in words. */
export function describe(l: LevelSpec): string {
  const chains = l.chains === 1 ? '1 chain' : `${l.chains} chains`;
  const sequencers = l.perChain === 1 ? '1 sequencer' : `${l.perChain} sequencers`;
  return `${chains}, ${sequencers} each, ${l.concurrency} callers each`;
}

/** One line of the table. */
export function stressLine(l: StressLevel): string {
  const cpu = l.cpuMicrosPerRecord;
  return (
    `${describe(l).padEnd(40)}` +
    `${String(l.recordsPerSecond).padStart(7)} records/s ${String(l.batchesPerSecond).padStart(6)} batches/s  ` +
    `mean batch ${l.meanBatch}  append p50 ${l.appendP50Ms} ms p99 ${l.appendP99Ms} ms  failures ${l.failures}  ` +
    `CPU µs/record: sequencer ${cpu.gateway}, PostgreSQL ${cpu.postgres}, machine ${cpu.machine}`
  );
}
