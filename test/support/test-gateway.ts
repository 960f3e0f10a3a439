import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { Client } from 'pg';
import { createGateway, type Gateway } from '../../src/gateway';
import { loadConfig } from '../../src/platform/config/config';
import { asLogin, DEV_LOGINS } from '../../src/platform/database/logins';
import { testEnv } from '../setup/test-env';

export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

export interface TestGateway {
  gateway: Gateway;
  agencyUrl: string;
  publicUrl: string;
  /** The operations listener, where /metrics is served. */
  metricsUrl: string;
  certsDir: string;
  databaseUrl: string;
  /** Every log line the gateway wrote, parsed. */
  logs: LogLine[];
  rawLogs: string[];
  stop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template. */
export async function createTestDatabase(): Promise<string> {
  const name = `${testEnv('databasePrefix')}${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: testEnv('adminUrl') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${testEnv('templateDatabase')}"`);
  } finally {
    await admin.end();
  }
  // The gateway's own login: owns nothing, may only append to and read the audit log.
  return asLogin(testEnv('adminUrl'), DEV_LOGINS.application, name);
}

export interface TestGatewayOptions {
  /** A private copy of the PKI, for tests that rewrite the CRL. */
  privateCerts?: boolean;
  databaseUrl?: string;
  env?: Record<string, string>;
}

/** Boots the real gateway on ephemeral ports, over real TLS, against real PostgreSQL. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  let certsDir = testEnv('certsDir');
  if (options.privateCerts === true) {
    const copy = join(testEnv('root'), `certs-${randomBytes(4).toString('hex')}`);
    cpSync(certsDir, copy, { recursive: true });
    certsDir = copy;
  }
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    HOST: '127.0.0.1',
    AGENCY_PORT: '0',
    PUBLIC_PORT: '0',
    METRICS_LISTEN: '127.0.0.1:0',
    CERTS_DIR: certsDir,
    GENERATE_DEV_PKI: 'false',
    DEMO_SEED: 'true',
    CRL_POLL_INTERVAL_MS: '100',
    DATABASE_URL: databaseUrl,
    // Many gateways share the run's PostgreSQL server (the machine's allows 100 connections): two kept each.
    DB_POOL_MIN: '2',
    SOURCE_ENDPOINTS: testEnv('sourceEndpoints'),
    OIDC_ISSUER: testEnv('oidcIssuer'),
    DEV_IDP_KEY_FILE: testEnv('idpKeyFile'),
    MAIL_DIR: join(testEnv('root'), 'mail'),
    AUDIT_CHECKPOINT_DIR: join(testEnv('root'), `checkpoints-${randomBytes(4).toString('hex')}`),
    ...options.env,
  });
  const rawLogs: string[] = [];
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        rawLogs.push(line);
        logs.push(JSON.parse(line) as LogLine);
      }
      callback();
    },
  });
  // nestjs-pino keeps the first application's logger for logs outside a request, process-wide;
  // a test file that boots several gateways wants each one's logs in its own destination.
  __resetOutOfContextForTests();
  const gateway = await createGateway(config, { databaseUrl, logDestination: destination });
  const { agencyPort, publicPort, metricsPort } = await gateway.listen();
  return {
    gateway,
    agencyUrl: `https://localhost:${agencyPort}`,
    publicUrl: `http://127.0.0.1:${publicPort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    certsDir,
    databaseUrl,
    logs,
    rawLogs,
    stop: () => gateway.shutdown(),
  };
}

/** Waits until `predicate` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The promise's value; fails with `what` if it has not settled after
 * `timeoutMs`. The bound only stops a test that would hang (an answer held
 * forever) with a message that says what never came; it measures nothing.
 */
export async function settles<T>(promise: Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}
