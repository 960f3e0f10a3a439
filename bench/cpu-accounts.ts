/**
 * Where a benchmark's CPU goes, process by process, from /proc: the gateway,
 * the companions it started (simulators, dev IdP), PostgreSQL, and this
 * process (the load generator), against the whole machine's busy time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { CLOCK_TICKS, processStat, type ProcessStat } from '../test/support/gateway-process';

/** A thread's time so far on a core and runnable but waiting for one, and when it was read, in ns. */
export interface ThreadTimes {
  onCoreNs: number;
  waitingNs: number;
  atNs: number;
}

/** The shares of a run's time that a process's main thread spent on a core, and waiting for one. */
export interface MainThreadShare {
  onCore: number;
  waiting: number;
}

/** CPU time in µs so far, by party. */
export interface CpuSnapshot {
  gateway: number;
  companions: number;
  postgres: number;
  loadGenerator: number;
  machine: number;
}

/** A figure for each party, computed the same way for all. */
export function perParty(figure: (party: keyof CpuSnapshot) => number): CpuSnapshot {
  return {
    gateway: figure('gateway'),
    companions: figure('companions'),
    postgres: figure('postgres'),
    loadGenerator: figure('loadGenerator'),
    machine: figure('machine'),
  };
}

function statOrNothing(pid: string): ProcessStat | undefined {
  try {
    return processStat(Number(pid));
  } catch {
    return undefined; // the process ended meanwhile
  }
}

/** Busy time of all CPUs (everything but idle and iowait), in µs. */
function machineBusyMicros(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return ((total - ticks[3] - ticks[4]) * 1e6) / CLOCK_TICKS;
}

/**
 * CPU so far of the gateway processes `gatewayPids` (one node or several) and
 * their companions; PostgreSQL is the server whose postmaster is `postmaster`
 * with all its backends, those that ended included, or, when unknown, every
 * `postgres` running on the machine.
 */
export function cpuSnapshot(gatewayPids: number | readonly number[], postmaster?: number): CpuSnapshot {
  const gateways = new Set(typeof gatewayPids === 'number' ? [gatewayPids] : gatewayPids);
  const table = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(statOrNothing)
    .filter((stat): stat is ProcessStat => stat !== undefined);
  const children = new Map<number, ProcessStat[]>();
  for (const stat of table) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const descendants = (pid: number): ProcessStat[] =>
    (children.get(pid) ?? []).flatMap((child) => [child, ...descendants(child.pid)]);
  const sum = (stats: ProcessStat[]): number => stats.reduce((total, stat) => total + stat.cpuMicros, 0);
  // A backend that ends takes its CPU time with it, into its postmaster's account of ended children.
  const server = table.find((stat) => stat.pid === postmaster);
  const postgres =
    server === undefined ? table.filter((stat) => stat.comm === 'postgres') : [server, ...descendants(server.pid)];
  const own = process.cpuUsage();
  return {
    gateway: sum(table.filter((stat) => gateways.has(stat.pid))),
    companions: sum([...gateways].flatMap(descendants)),
    postgres: sum(postgres) + (server?.endedChildrenCpuMicros ?? 0),
    loadGenerator: own.user + own.system,
    machine: machineBusyMicros(),
  };
}

/**
 * The postmaster of the server at `url` when it runs on this machine (the
 * parent of the backend that answers), so that other PostgreSQL servers on a
 * shared machine are not counted; undefined when it is elsewhere.
 */
export async function postmasterOf(url: string): Promise<number | undefined> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const [row] = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const backend = statOrNothing(String(row.pid));
    const parent = backend === undefined ? undefined : statOrNothing(String(backend.ppid));
    return parent?.comm === 'postgres' ? parent.pid : undefined;
  } finally {
    await db.end();
  }
}

/** µs of CPU per request for each party between two snapshots. */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuSnapshot {
  return perParty((key) => Math.round((after[key] - before[key]) / Math.max(1, requests)));
}

/** `/proc/<pid>/schedstat`: the task's time on a core, its time runnable on a run queue (both ns), its timeslices. */
export function parseSchedstat(text: string): { onCoreNs: number; waitingNs: number } {
  const [onCoreNs, waitingNs] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(onCoreNs) || !Number.isFinite(waitingNs)) throw new Error(`not a schedstat line: ${text}`);
  return { onCoreNs, waitingNs };
}

/**
 * The main thread's times of process `pid` (the file of the process is its
 * first thread's, the event loop's in Node); undefined where the kernel does
 * not keep them or the process has ended.
 */
export function mainThreadTimes(pid: number): ThreadTimes | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/schedstat`, 'utf8');
  } catch {
    return undefined;
  }
  return { ...parseSchedstat(text), atNs: Number(process.hrtime.bigint()) };
}

/**
 * How much of the time between two readings the thread was on a core, and
 * runnable but waiting for one. Together near 1, the thread had work all
 * along: its event loop, not what it waits on, bounds its process's rate.
 */
export function mainThreadShare(before: ThreadTimes, after: ThreadTimes): MainThreadShare {
  const elapsed = Math.max(1, after.atNs - before.atNs);
  return {
    onCore: (after.onCoreNs - before.onCoreNs) / elapsed,
    waiting: (after.waitingNs - before.waitingNs) / elapsed,
  };
}

/** Where the served process's event loop spent the runs: on a core, waiting for one, and the rest idle. */
export function mainThreadLine(share: MainThreadShare | undefined, server = 'gateway'): string {
  if (share === undefined) return `  ${server} main thread: not measured (no /proc/<pid>/schedstat)`;
  const percent = (fraction: number): string => `${Math.round(fraction * 100)}%`;
  return (
    `  ${server} main thread: on a core ${percent(share.onCore)} of the time, waiting for one ` +
    `${percent(share.waiting)}, idle ${percent(Math.max(0, 1 - share.onCore - share.waiting))}`
  );
}
