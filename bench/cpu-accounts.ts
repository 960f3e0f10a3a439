/**
 * Where a benchmark's CPU goes, process by process, from /proc: the gateway,
 * the companions it started (simulators, dev IdP), PostgreSQL, and this
 * process (the load generator), against the whole machine's busy time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CLOCK_TICKS, processStat, type ProcessStat } from '../test/support/gateway-process';

/** CPU time in µs so far, by party. */
export interface CpuSnapshot {
  gateway: number;
  companions: number;
  postgres: number;
  loadGenerator: number;
  machine: number;
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

export function cpuSnapshot(gatewayPid: number): CpuSnapshot {
  const table = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(statOrNothing)
    .filter((stat): stat is ProcessStat => stat !== undefined);
  const children = new Map<number, ProcessStat[]>();
  for (const stat of table) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const descendants = (pid: number): ProcessStat[] =>
    (children.get(pid) ?? []).flatMap((child) => [child, ...descendants(child.pid)]);
  const own = process.cpuUsage();
  return {
    gateway: table.find((stat) => stat.pid === gatewayPid)?.cpuMicros ?? 0,
    companions: descendants(gatewayPid).reduce((sum, stat) => sum + stat.cpuMicros, 0),
    postgres: table.filter((stat) => stat.comm === 'postgres').reduce((sum, stat) => sum + stat.cpuMicros, 0),
    loadGenerator: own.user + own.system,
    machine: machineBusyMicros(),
  };
}

/** µs of CPU per request for each party between two snapshots. */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuSnapshot {
  const per = (key: keyof CpuSnapshot): number => Math.round((after[key] - before[key]) / Math.max(1, requests));
  return {
    gateway: per('gateway'),
    companions: per('companions'),
    postgres: per('postgres'),
    loadGenerator: per('loadGenerator'),
    machine: per('machine'),
  };
}
