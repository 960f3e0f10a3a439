/**
 * Gateway processes that share one database, as the nodes of a cluster do,
 * each with its own ports and scratch directory, and what they log; plus the
 * admin CLI run against the same database, as an operator runs it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { testEnv } from '../setup/test-env';
import { sharedTestEnv } from './child-gateway-env';
import { startGateway, stopGateway, type Gateway } from './gateway-process';
import { CLI_MAIN } from './cli';

export interface GatewayNode {
  name: string;
  gateway: Gateway;
  agencyUrl: string;
  metricsUrl: string;
  /** Every JSON log line written since the node started. */
  logs: Record<string, unknown>[];
}

/**
 * `count` gateway processes on `databaseUrl`, started one after the other
 * (each seeds the demo world: one at a time, as a rolling start would).
 */
export async function startNodes(
  count: number,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<GatewayNode[]> {
  const nodes: GatewayNode[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const name = String.fromCharCode(65 + i);
      const gateway = await startGateway({
        databaseUrl,
        dir: mkdtempSync(join(testEnv('root'), `node-${name}-`)),
        env: { ...sharedTestEnv(), ...env },
      });
      const logs: Record<string, unknown>[] = [];
      let partial = '';
      gateway.child.stdout?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('{')) continue;
          try {
            logs.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            // The banner and the sources table are not JSON.
          }
        }
      });
      nodes.push({
        name,
        gateway,
        agencyUrl: `https://localhost:${gateway.agencyPort}`,
        metricsUrl: `http://127.0.0.1:${gateway.metricsPort}/metrics`,
        logs,
      });
    }
  } catch (error) {
    await stopNodes(nodes);
    throw error;
  }
  return nodes;
}

export async function stopNodes(nodes: GatewayNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => stopGateway(node.gateway)));
}

/** The value of a metric on a node's operations listener (the first series whose labels include `labels`). */
export async function metricOf(
  node: GatewayNode,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const text = await (await fetch(node.metricsUrl)).text();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const wanted = Object.entries(labels).every(([key, value]) => (match[2] ?? '').includes(`${key}="${value}"`));
    if (wanted) return Number(match[3]);
  }
  return undefined;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * The admin CLI (from the build) on the nodes' database. Asynchronous: the
 * test process may itself serve what the nodes fetch (a CRL) meanwhile.
 */
export async function runCli(args: string[], databaseUrl: string, env: Record<string, string> = {}): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    cwd: join(__dirname, '..', '..'),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      CERTS_DIR: testEnv('certsDir'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { status, stdout, stderr, ms: Date.now() - started };
}
