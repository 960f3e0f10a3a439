import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes, webcrypto } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cryptoProvider, PemConverter, Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { Client as PgClient } from 'pg';
import { Client } from 'undici';
import { asLogin, DEV_LOGINS } from '../src/platform/database/logins';
import { ownerUrlOf, testEnv } from './setup/test-env';
import { call } from './support/agency-client';
import { CLI_MAIN } from './support/cli';
import { createTestDatabase, startTestGateway, type TestGateway } from './support/test-gateway';

const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 };
const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
  .version;

/** The compiled CLI, as an operator runs it: nothing from the test's environment but what is given. */
function cli(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI_MAIN, ...args], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, NODE_ENV: 'development', CERTS_DIR: testEnv('certsDir'), ...env },
  });
}

/**
 * The same, without blocking this process: the commands that change an organisation wait for every running
 * gateway node to answer their notice, and the gateway of these tests runs in this process.
 */
function cliAlongside(args: string[], env: Record<string, string>): Promise<SpawnSyncReturns<string>> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    cwd: join(__dirname, '..'),
    env: { PATH: process.env.PATH, NODE_ENV: 'development', CERTS_DIR: testEnv('certsDir'), ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) =>
    child.once('close', (status, signal) =>
      resolve({ pid: child.pid ?? 0, output: [null, stdout, stderr], stdout, stderr, status, signal }),
    ),
  );
}

function ok(run: SpawnSyncReturns<string>): string {
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: EXIT.ok, stderr: '' });
  return run.stdout;
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An agency's key and certificate signing request, made as an agency would, with its own key. */
async function agencyCsr(commonName: string): Promise<{ keyPem: string; csrPem: string }> {
  cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}, O=Test agency, C=CA`,
    keys,
    signingAlgorithm: algorithm,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: PemConverter.encode(pkcs8, 'PRIVATE KEY'), csrPem: csr.toString('pem') };
}

describe('the admin CLI: help, version, exit codes', () => {
  it('prints the top-level help with the exit codes, each group’s help, and each command’s', () => {
    const top = ok(cli(['--help']));
    for (const group of ['org', 'contracts', 'crl', 'cluster', 'audit', 'outbox', 'db', 'dev']) {
      expect(top).toMatch(new RegExp(`^  ${group} `, 'm'));
    }
    expect(top).toContain('Exit codes:');
    expect(top).toMatch(/^ {2}3 {2}cannot connect/m);

    const org = ok(cli(['org', '--help']));
    expect(org).toMatch(/unbind-cert <id> <fingerprint\|certificate\.pem>/);
    expect(org).not.toContain('verify-export');
    expect(ok(cli(['help', 'org']))).toBe(org);

    const bind = ok(cli(['org', 'bind-cert', '--help']));
    expect(bind).toMatch(/^Usage: .* org bind-cert \[options\] <id> <certificate\.pem>/m);
    expect(ok(cli(['outbox', 'requeue', '--help']))).toMatch(/--all-dead[\s\S]*--dry-run/);
  });

  it('prints the version of package.json', () => {
    expect(ok(cli(['--version']))).toBe(`${VERSION}\n`);
  });

  it('exits 2 on a misspelt command or option, suggesting the right one, with nothing on standard output', () => {
    const typo = cli(['orgg', 'list']);
    expect({ status: typo.status, stdout: typo.stdout }).toEqual({ status: EXIT.usage, stdout: '' });
    expect(typo.stderr).toContain("unknown command 'orgg'");
    expect(typo.stderr).toContain('Did you mean org?');

    const option = cli(['org', 'list', '--jsn']);
    expect(option.status).toBe(EXIT.usage);
    expect(option.stderr).toContain('Did you mean --json?');
    expect(cli(['org', 'bind-cert', 'afe']).status).toBe(EXIT.usage);
  });

  it('exits 3 when the database cannot be reached, naming no password', async () => {
    const url = `postgres://passerelle_app:secret-pw@127.0.0.1:${await closedPort()}/nowhere`;
    for (const args of [
      ['org', 'list'],
      ['outbox', 'list', '--dead'],
      ['cluster', 'nodes', '--json'],
    ]) {
      const run = cli(args, { DATABASE_URL: url });
      expect({ args, status: run.status, stdout: run.stdout }).toEqual({ args, status: EXIT.unreachable, stdout: '' });
      expect(run.stderr).toContain('cannot connect to the database (DATABASE_URL)');
      expect(run.stderr).not.toContain('secret-pw');
    }
  });

  it('exits 1 when the thing checked fails, with the --json document saying what', () => {
    const schemas = mkdtempSync(join(testEnv('root'), 'cli-schemas-'));
    cpSync(join(__dirname, '..', 'schemas'), schemas, { recursive: true });
    const passed = JSON.parse(ok(cli(['contracts', 'check', '--json'], { SCHEMAS_DIR: schemas }))) as {
      valid: boolean;
      contracts: unknown[];
    };
    expect(passed.valid).toBe(true);
    expect(passed.contracts.length).toBeGreaterThan(0);

    writeFileSync(join(schemas, 'purposes.json'), '{"purposes": "none"}');
    const run = cli(['contracts', 'check', '--json'], { SCHEMAS_DIR: schemas });
    expect(run.status).toBe(EXIT.failed);
    const failed = JSON.parse(run.stdout) as { valid: boolean; problems: { file: string }[] };
    expect(failed.valid).toBe(false);
    expect(failed.problems.map((problem) => problem.file)).toContain('purposes.json');
    expect(run.stderr).toContain('invalid data-product contracts');
  });
});

describe('the admin CLI: reads never migrate, writes do', () => {
  let applicationUrl: string;
  let ownerUrl: string;

  beforeAll(async () => {
    // An empty database, as a fresh primary has before anything migrated it.
    const name = `${testEnv('databasePrefix')}${randomBytes(6).toString('hex')}`;
    await query(testEnv('adminUrl'), `CREATE DATABASE "${name}" OWNER ${DEV_LOGINS.owner.name}`);
    applicationUrl = asLogin(testEnv('adminUrl'), DEV_LOGINS.application, name);
    ownerUrl = asLogin(testEnv('adminUrl'), DEV_LOGINS.owner, name);
  });

  const tables = async (): Promise<number> =>
    Number(
      (await query<{ n: string }>(ownerUrl, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"))[0].n,
    );

  it('refuses a read on an un-migrated database (exit 3) and creates nothing, even with the owner’s login', async () => {
    const env = { DATABASE_URL: applicationUrl, DATABASE_OWNER_URL: ownerUrl };
    for (const args of [
      ['org', 'list', '--json'],
      ['outbox', 'list'],
      ['cluster', 'nodes'],
    ]) {
      const run = cli(args, env);
      expect({ args, status: run.status, stdout: run.stdout }).toEqual({ args, status: EXIT.unreachable, stdout: '' });
      expect(run.stderr).toContain('the database has no Passerelle schema yet: run db migrate');
    }
    const status = cli(['db', 'status', '--json'], env);
    expect(status.status).toBe(EXIT.failed);
    const pending = JSON.parse(status.stdout) as { current: boolean; applied: string[]; pending: string[] };
    expect(pending).toMatchObject({ current: false, applied: [] });
    expect(pending.pending.length).toBeGreaterThan(0);
    expect(await tables()).toBe(0);

    // A write brings the schema up to date first; the reads then work.
    expect(ok(cli(['org', 'register', 'cnesst', '--name', 'CNESST', '--sector', 'labour'], env))).toContain(
      'registered cnesst in sector labour',
    );
    expect(await tables()).toBeGreaterThan(0);
    expect(JSON.parse(ok(cli(['db', 'status', '--json'], env)))).toMatchObject({ current: true, pending: [] });
    const listed = JSON.parse(ok(cli(['org', 'list', '--json'], { DATABASE_URL: applicationUrl }))) as {
      organisations: { id: string; sector: string; certificates: number }[];
    };
    expect(listed.organisations).toEqual([
      expect.objectContaining({ id: 'cnesst', sector: 'labour', certificates: 0 }),
    ]);
  });
});

describe('the admin CLI: outbox list --dead and outbox requeue', () => {
  let databaseUrl: string;
  let dead: string[];
  let pending: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const events = await query<{ id: string }>(
      databaseUrl,
      `INSERT INTO outbox_event (type, organisation, citizen, payload, dispatched_at)
       SELECT 'consent.granted', 'afe', 'demo-citizen-' || n, '{}'::jsonb, now() FROM generate_series(1, 3) n
       RETURNING id::text`,
    );
    const deliveries = await query<{ id: string }>(
      databaseUrl,
      `INSERT INTO notification_delivery (event_id, channel, recipient, status, attempts, last_error)
       VALUES ($1, 'webhook', 'afe', 'dead', 8, 'HTTP 500'), ($2, 'mail', 'demo-citizen-2', 'dead', 8, 'SMTP 451'),
              ($3, 'webhook', 'afe', 'pending', 1, 'HTTP 503')
       RETURNING id::text`,
      events.map((event) => event.id),
    );
    dead = deliveries.slice(0, 2).map((row) => row.id);
    pending = deliveries[2].id;
  });

  const statuses = async (): Promise<Record<string, { status: string; attempts: number }>> =>
    Object.fromEntries(
      (
        await query<{ id: string; status: string; attempts: number }>(
          databaseUrl,
          'SELECT id::text, status, attempts FROM notification_delivery',
        )
      ).map((row) => [row.id, { status: row.status, attempts: row.attempts }]),
    );

  it('lists the dead letters without naming the citizen', () => {
    const env = { DATABASE_URL: databaseUrl };
    const listed = JSON.parse(ok(cli(['outbox', 'list', '--dead', '--json'], env))) as {
      deliveries: { id: string; status: string; recipient: string | null; channel: string }[];
    };
    expect(listed.deliveries.map((d) => [d.id, d.status, d.channel, d.recipient])).toEqual([
      [dead[0], 'dead', 'webhook', 'afe'],
      [dead[1], 'dead', 'mail', null],
    ]);
    const text = ok(cli(['outbox', 'list'], env));
    expect(text.trim().split('\n')).toHaveLength(3);
    expect(text).not.toContain('demo-citizen');
  });

  it('requeues one dead letter, then all, never a pending one; a dry run changes nothing', async () => {
    const env = { DATABASE_URL: databaseUrl, DATABASE_OWNER_URL: ownerUrlOf(databaseUrl) };
    const before = await statuses();
    const dry = JSON.parse(ok(cli(['outbox', 'requeue', '--all-dead', '--dry-run', '--json'], env))) as {
      dryRun: boolean;
      deliveries: { id: string }[];
    };
    expect(dry.dryRun).toBe(true);
    expect(dry.deliveries.map((d) => d.id)).toEqual(dead);
    expect(await statuses()).toEqual(before);

    expect(cli(['outbox', 'requeue'], env).status).toBe(EXIT.usage);
    const notDead = cli(['outbox', 'requeue', '--id', pending], env);
    expect(notDead.status).toBe(EXIT.usage);
    expect(notDead.stderr).toContain(`delivery ${pending} is pending, not dead-lettered`);

    expect(ok(cli(['outbox', 'requeue', '--id', dead[0]], env))).toContain(`requeued 1 delivery(ies): ${dead[0]}`);
    expect((await statuses())[dead[0]]).toEqual({ status: 'pending', attempts: 0 });
    expect((await statuses())[dead[1]]).toEqual({ status: 'dead', attempts: 8 });

    const all = JSON.parse(ok(cli(['outbox', 'requeue', '--all-dead', '--json'], env))) as { requeued: string[] };
    expect(all.requeued).toEqual([dead[1]]);
    expect(await statuses()).toEqual({
      [dead[0]]: { status: 'pending', attempts: 0 },
      [dead[1]]: { status: 'pending', attempts: 0 },
      [pending]: { status: 'pending', attempts: 1 },
    });
  });
});

describe('the admin CLI: dev sign-csr, org bind-cert and org unbind-cert against a running gateway', () => {
  let t: TestGateway;
  let env: Record<string, string>;
  let scratch: string;

  beforeAll(async () => {
    t = await startTestGateway();
    env = { DATABASE_URL: t.databaseUrl, DATABASE_OWNER_URL: ownerUrlOf(t.databaseUrl), CERTS_DIR: t.certsDir };
    scratch = mkdtempSync(join(testEnv('root'), 'cli-csr-'));
  });

  afterAll(() => t.stop());

  it('signs an agency’s CSR into a certificate that, once bound, calls over mTLS; unbinding refuses it on the open connection', async () => {
    const { keyPem, csrPem } = await agencyCsr('cnesst-integration');
    writeFileSync(join(scratch, 'cnesst.csr'), csrPem);
    writeFileSync(join(scratch, 'cnesst.key'), keyPem);
    const printed = ok(cli(['dev', 'sign-csr', join(scratch, 'cnesst.csr')], env));
    expect(printed).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    const certFile = join(scratch, 'cnesst.crt');
    const written = ok(cli(['dev', 'sign-csr', join(scratch, 'cnesst.csr'), '--out', certFile], env));
    const fingerprint = /fingerprint ([0-9a-f]{64})$/m.exec(written)?.[1];
    expect(fingerprint).toBeDefined();
    expect(cli(['dev', 'sign-csr', join(scratch, 'cnesst.key')], env).status).toBe(EXIT.usage);

    ok(await cliAlongside(['org', 'register', 'cnesst', '--name', 'CNESST', '--sector', 'labour'], env));
    const bound = ok(await cliAlongside(['org', 'bind-cert', 'cnesst', certFile], env));
    expect(bound).toContain(`bound ${fingerprint} `);
    expect(bound).toContain('bindings reload: 1 of 1 node(s) reloaded');

    const connection = new Client(t.agencyUrl, {
      connect: {
        ca: readFileSync(join(t.certsDir, 'agency-ca.crt')),
        cert: readFileSync(certFile),
        key: keyPem,
        servername: 'localhost',
      },
      pipelining: 1,
    });
    try {
      const before = await call(connection, `${t.agencyUrl}/v1/whoami`);
      expect({ status: before.status, body: before.body }).toMatchObject({
        status: 200,
        body: { organisation: 'cnesst', fingerprint, sector: 'labour' },
      });

      expect(cli(['org', 'unbind-cert', 'nobody', certFile], env).status).toBe(EXIT.usage);
      expect(ok(await cliAlongside(['org', 'unbind-cert', 'cnesst', fingerprint ?? ''], env))).toContain(
        `unbound ${fingerprint} from cnesst`,
      );
      // The same kept-alive connection: the node dropped the binding it had cached before the command returned.
      const after = await call(connection, `${t.agencyUrl}/v1/whoami`);
      expect({ status: after.status, body: after.body }).toMatchObject({
        status: 403,
        body: { code: 'client-not-registered' },
      });
    } finally {
      await connection.close();
    }
    const again = cli(['org', 'unbind-cert', 'cnesst', certFile], env);
    expect(again.status).toBe(EXIT.failed);
    expect(again.stderr).toContain('is bound to cnesst: nothing unbound');
  });
});
