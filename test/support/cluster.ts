/**
 * Several gateway processes on one PostgreSQL, as the gateway runs in
 * production: each node its own process, ports and audit checkpoint folder,
 * all of them with the run's PKI, identity provider and demo sources.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { Client } from 'pg';
import { readHead, HEAD_FILE } from '../../src/audit/signed-head';
import { provisionLogins } from '../../src/platform/database/logins';
import { loadSigningKey } from '../../src/platform/signing/signing-key';
import { testEnv } from '../setup/test-env';
import { tlsOptionsFor } from './agency-client';
import { sharedTestEnv } from './child-gateway-env';
import { startGateway, stopGateway, type Gateway } from './gateway-process';
import { CLI_MAIN } from './cli';

/** Longer than any answer a loaded machine gives, short enough that a hung request fails the test. */
const REQUEST_TIMEOUT_MS = 20_000;

export interface ClusterNode {
  name: string;
  gateway: Gateway;
  /** The node's scratch directory: its checkpoints, mail and the like. */
  dir: string;
  /** This node's own AUDIT_CHECKPOINT_DIR. */
  checkpointDir: string;
}

export interface Cluster {
  /** The application's login, which every node runs as. */
  databaseUrl: string;
  /** The owner's login, which migrates. */
  ownerUrl: string;
  nodes: ClusterNode[];
}

/** An empty database on the test server, with the two logins: nothing migrated yet. */
async function createEmptyDatabase(): Promise<{ applicationUrl: string; ownerUrl: string }> {
  const name = `${testEnv('databasePrefix')}cluster_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: testEnv('adminUrl') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return provisionLogins(testEnv('adminUrl'), name);
}

/**
 * `count` gateway processes started at once on an empty database, each with
 * the owner's login as in production: one takes the migration lock and
 * migrates, the others wait for it and find nothing left to do.
 */
export async function startCluster(count: number): Promise<Cluster> {
  const { applicationUrl, ownerUrl } = await createEmptyDatabase();
  const started = await Promise.allSettled(
    Array.from({ length: count }, async (_, i): Promise<ClusterNode> => {
      const name = String.fromCharCode(65 + i);
      const dir = mkdtempSync(join(testEnv('root'), `cluster-${name}-`));
      const gateway = await startNode(applicationUrl, ownerUrl, dir);
      return { name, gateway, dir, checkpointDir: join(dir, 'checkpoints') };
    }),
  );
  const nodes = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(nodes.map((node) => stopGateway(node.gateway)));
    throw failed.reason;
  }
  return { databaseUrl: applicationUrl, ownerUrl, nodes };
}

function startNode(databaseUrl: string, ownerUrl: string, dir: string): Promise<Gateway> {
  return startGateway({ databaseUrl, dir, env: { ...sharedTestEnv(), DATABASE_OWNER_URL: ownerUrl } });
}

/** Starts node `i` again, as its process manager would after a crash: same folder, same checkpoints, new ports. */
export async function restartNode(cluster: Cluster, i: number): Promise<void> {
  const node = cluster.nodes[i];
  node.gateway = await startNode(cluster.databaseUrl, cluster.ownerUrl, node.dir);
}

/** One exchange, as it went: who answered (the node's index), when it started and ended, and what came back. */
export interface Attempt {
  node: number | undefined;
  startedAt: number;
  endedAt: number;
  /** 0: no answer (the connection failed or was cut). */
  status: number;
  code?: string;
  exchangeId?: string;
  correlationId?: string;
  error?: string;
}

export interface Caller {
  tls: Record<string, unknown>;
  body: string;
}

/** An agency that sends `body` to POST /v1/exchanges with its client certificate. */
export function caller(identity: string, body: Record<string, unknown>): Caller {
  return { tls: tlsOptionsFor(testEnv('certsDir'), identity), body: JSON.stringify(body) };
}

/**
 * One exchange on a connection of its own (closed after the answer), so that
 * a load balancer chooses a node for each one. `nodeOf` names the node from
 * the connection's local port (which the proxy saw as the client's).
 */
export function exchangeOnce(
  port: number,
  { tls, body }: Caller,
  nodeOf: (localPort: number) => number | undefined,
): Promise<Attempt> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    // Known once connected: a connection cut before any answer still says which node it was on.
    let localPort: number | undefined;
    const done = (result: Omit<Attempt, 'startedAt' | 'endedAt' | 'node'>): void =>
      resolve({
        node: localPort === undefined ? undefined : nodeOf(localPort),
        startedAt,
        endedAt: Date.now(),
        ...result,
      });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/exchanges',
        headers: { 'content-type': 'application/json', connection: 'close' },
        agent: false,
        ...tls,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', (error) => done({ status: 0, error: error.message }));
        res.on('end', () => {
          let parsed: { code?: string; exchangeId?: string } = {};
          try {
            parsed = JSON.parse(text) as typeof parsed;
          } catch {
            // Not JSON: the status says enough.
          }
          const correlation = res.headers['x-correlation-id'];
          done({
            status: res.statusCode ?? 0,
            code: parsed.code,
            exchangeId: parsed.exchangeId,
            correlationId: typeof correlation === 'string' ? correlation : undefined,
          });
        });
      },
    );
    req.once('socket', (socket) => socket.once('connect', () => (localPort = socket.localPort)));
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timed out')));
    req.on('error', (error) => done({ status: 0, error: error.message }));
    req.end(body);
  });
}

export interface Load {
  attempts: Attempt[];
  /** Lets the exchanges in flight finish, and starts no more. */
  stop(): Promise<void>;
}

/** `workers` loops, each sending one exchange after another until stopped. */
export function startLoad(send: () => Promise<Attempt>, workers: number): Load {
  const attempts: Attempt[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) attempts.push(await send());
  });
  return {
    attempts,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** What the audit log says of exchanges: each outcome record's decision and reason, by correlation id. */
export async function outcomesByCorrelation(
  databaseUrl: string,
  correlationIds: string[],
): Promise<Map<string, { decision: string; reason: string | null }[]>> {
  const rows = await query<{ correlation_id: string; decision: string; reason: string | null }>(
    databaseUrl,
    `SELECT correlation_id, decision, payload->>'reason' AS reason FROM audit_event
     WHERE kind = 'exchange.outcome' AND correlation_id = ANY($1)`,
    [correlationIds],
  );
  const outcomes = new Map<string, { decision: string; reason: string | null }[]>();
  for (const row of rows) {
    outcomes.set(row.correlation_id, [...(outcomes.get(row.correlation_id) ?? []), row]);
  }
  return outcomes;
}

/** The exchange ids, of those given, that have an `allow` outcome record. */
export async function allowedExchanges(databaseUrl: string, exchangeIds: string[]): Promise<Set<string>> {
  const rows = await query<{ id: string }>(
    databaseUrl,
    `SELECT payload->'details'->>'exchangeId' AS id FROM audit_event
     WHERE kind = 'exchange.outcome' AND decision = 'allow' AND payload->'details'->>'exchangeId' = ANY($1)`,
    [exchangeIds],
  );
  return new Set(rows.map((row) => row.id));
}

/** How many records the chain holds, and its first and last seq: gapless when count = last and first = 1. */
export async function chainExtent(databaseUrl: string): Promise<{ count: number; first: number; last: number }> {
  const [row] = await query<{ count: string; first: string; last: string }>(
    databaseUrl,
    'SELECT count(*) AS count, min(seq) AS first, max(seq) AS last FROM audit_event',
    [],
  );
  return { count: Number(row.count), first: Number(row.first), last: Number(row.last) };
}

async function query<T>(databaseUrl: string, text: string, values: unknown[]): Promise<T[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query(text, values)).rows as T[];
  } finally {
    await db.end();
  }
}

/** The admin CLI, from the build, as an operator runs it against the cluster's database. */
export function cli(cluster: Cluster, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI_MAIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      DATABASE_URL: cluster.databaseUrl,
      DATABASE_OWNER_URL: cluster.ownerUrl,
      CERTS_DIR: testEnv('certsDir'),
      ...env,
    },
  });
}

/**
 * The cluster's audit evidence kept in the nodes' folders, gathered into one
 * for `audit verify --checkpoints`: every node's signed checkpoints, and the
 * head signed last (the highest seq of the nodes' head files), with the
 * public key in a JWKS beside it.
 */
export async function gatherEvidence(cluster: Cluster): Promise<{ dir: string; jwks: string }> {
  const { publicJwk } = await loadSigningKey(join(testEnv('certsDir'), 'signing-key.pem'));
  const keys = { keys: [publicJwk] };
  const root = mkdtempSync(join(testEnv('root'), 'cluster-evidence-'));
  const dir = join(root, 'checkpoints');
  mkdirSync(dir);
  let newest: { seq: number; from: string } | undefined;
  for (const node of cluster.nodes) {
    const files = existsSync(node.checkpointDir) ? readdirSync(node.checkpointDir) : [];
    for (const name of files.filter((file) => /^checkpoint-\d+\.jws$/.test(file))) {
      copyFileSync(join(node.checkpointDir, name), join(dir, name));
    }
    const read = await readHead(node.checkpointDir, keys);
    if (!read.found) continue;
    if ('invalid' in read) throw new Error(`node ${node.name}: ${read.invalid}`);
    if (newest === undefined || read.head.seq > newest.seq) newest = { seq: read.head.seq, from: node.checkpointDir };
  }
  if (newest !== undefined) copyFileSync(join(newest.from, HEAD_FILE), join(dir, HEAD_FILE));
  const jwks = join(root, 'jwks.json');
  writeFileSync(jwks, JSON.stringify(keys));
  return { dir, jwks };
}
