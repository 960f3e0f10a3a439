/**
 * The gateway as its own process (`node dist/main.js`, as `npm start` runs
 * it) on free ports, and what /proc says about it. `npm run bench` and the
 * soak test measure this process, not an in-process gateway sharing the heap
 * of the code that loads it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../src/platform/net/listen';

export const GATEWAY_MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
/** The Node flags `npm start` gives the gateway (package.json's start script): what is measured is what runs. */
export const START_FLAGS = startFlags();
/** Kernel clock ticks per second (USER_HZ), the unit of /proc CPU times. */
export const CLOCK_TICKS = 100;
const START_TIMEOUT_MS = 60_000;
/** Past the gateway's own drain timeout (10 s by default): a gateway still running then is killed. */
const STOP_TIMEOUT_MS = 20_000;

export interface Gateway {
  child: ChildProcess;
  agencyPort: number;
  publicPort: number;
  /** The operations listener, where /metrics is served. */
  metricsPort: number;
  idpPort: number;
  restSource: string;
}

export interface GatewayProcessOptions {
  /** Unset: the gateway starts its embedded PostgreSQL, as `npm start` does (EMBEDDED_PG_DIR and _PORT in env). */
  databaseUrl?: string;
  /** Scratch directory: the development PKI, audit checkpoints and mail go under it. */
  dir: string;
  /** Environment on top of the defaults below. */
  env?: Record<string, string>;
  /** When set, the gateway writes a V8 CPU profile to this directory when it stops. */
  profileDir?: string;
  /** A login that may create the demo SQL source's database, when the gateway starts its own simulators. */
  simulatorDatabaseUrl?: string;
  /** Node and V8 flags for the gateway's command line, after npm start's own (a later flag wins). */
  nodeArgs?: string[];
  /** Leads its own process group, as under systemd or in a container, so a test can signal the whole group. */
  detached?: boolean;
}

/** Starts the gateway as `npm start` would, and waits for its first-call banner and the REST source's line. */
export async function startGateway(options: GatewayProcessOptions): Promise<Gateway> {
  const { databaseUrl, dir, profileDir, nodeArgs = [] } = options;
  const [agencyPort, publicPort, metricsPort, idpPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const profiling = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const args = [...START_FLAGS, ...nodeArgs, ...profiling, GATEWAY_MAIN];
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      ...(options.simulatorDatabaseUrl === undefined ? {} : { SIMULATOR_DATABASE_URL: options.simulatorDatabaseUrl }),
      HOST: '127.0.0.1',
      AGENCY_PORT: String(agencyPort),
      PUBLIC_PORT: String(publicPort),
      METRICS_LISTEN: `127.0.0.1:${metricsPort}`,
      DEV_IDP_PORT: String(idpPort),
      SIMULATOR_BASE_PORT: '0',
      DEMO_WEBHOOK_PORT: '0',
      DEV_MAIL_SMTP_PORT: '0',
      DEV_MAIL_HTTP_PORT: '0',
      CERTS_DIR: join(dir, 'certs'),
      AUDIT_CHECKPOINT_DIR: join(dir, 'checkpoints'),
      MAIL_DIR: join(dir, 'mail'),
      // Load from one organisation measures the gateway, not its per-organisation limit.
      AGENCY_RATE_LIMIT_RPS: '1000000',
      AGENCY_RATE_LIMIT_BURST: '1000000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  return new Promise((resolve, reject) => {
    // Kept until the gateway is up, for the error; the pipes are drained for as long as it runs.
    let output = '';
    let started = false;
    const fail = (message: string): void => {
      clearTimeout(timer);
      if (started) return;
      started = true;
      child.kill('SIGTERM');
      reject(new Error(`${message}:\n${output}`));
    };
    const timer = setTimeout(() => fail('the gateway did not start'), START_TIMEOUT_MS);
    child.once('exit', (code) => fail(`the gateway exited (${String(code)})`));
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!started) output += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (started) return;
      output += chunk.toString();
      const rest = /saaq\s+saaq\.adresse v1\s+rest\s+(\S+)\s+live/.exec(output);
      if (output.includes('Passerelle is running.') && rest !== null) {
        started = true;
        clearTimeout(timer);
        resolve({ child, agencyPort, publicPort, metricsPort, idpPort, restSource: rest[1] });
      }
    });
  });
}

function startFlags(): string[] {
  const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = packageJson.scripts.start.trim().split(/\s+/);
  const main = words.indexOf('dist/main.js');
  if (words[0] !== 'node' || main < 0)
    throw new Error(`npm start is not "node [flags] dist/main.js": ${words.join(' ')}`);
  return words.slice(1, main);
}

/** SIGTERM, as a process manager stops it, and waits for the exit; SIGKILL if it does not come. */
export async function stopGateway(gateway: Gateway): Promise<void> {
  const { child } = gateway;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(kill);
}

export interface ProcessStat {
  pid: number;
  ppid: number;
  /** The command name, as the kernel keeps it. */
  comm: string;
  /** utime + stime, in µs. */
  cpuMicros: number;
  /** cutime + cstime, in µs: the CPU of its children that have ended and been waited for. */
  endedChildrenCpuMicros: number;
}

/** A process's parent, name and CPU time so far, from /proc/<pid>/stat. */
export function processStat(pid: number): ProcessStat {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The name is in parentheses and may itself hold spaces or parentheses.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    pid,
    ppid: Number(fields[1]),
    comm: text.slice(text.indexOf('(') + 1, close),
    cpuMicros: ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS,
    endedChildrenCpuMicros: ((Number(fields[13]) + Number(fields[14])) * 1e6) / CLOCK_TICKS,
  };
}

/** The process's peak resident set (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  return Math.round(statusKb(pid, 'VmHWM') / 1024);
}

/** The process's resident set now (VmRSS), in MB to one decimal. */
export function rssMb(pid: number): number {
  return Math.round((statusKb(pid, 'VmRSS') / 1024) * 10) / 10;
}

/** A `kB` field of /proc/<pid>/status; 0 when the kernel does not report it. */
function statusKb(pid: number, field: string): number {
  const line = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0);
}
