import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { Agent } from 'undici';
import { readFileSync } from 'node:fs';
import { loadDevIdpKey } from '../src/citizen-auth/dev-idp/dev-idp-key';
import { mintDevToken } from '../src/citizen-auth/dev-idp/dev-token';
import { call } from './support/agency-client';
import { freePort } from '../src/platform/net/listen';

const ROOT = resolve(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function waitFor(running: Running, text: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!running.output().includes(text)) {
    if (Date.now() > deadline || running.child.exitCode !== null) {
      throw new Error(`"${text}" never appeared; output:\n${running.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Follows the printed curl exactly: same certificate files, same URL. */
async function followPrintedCurl(output: string): Promise<{ status: number; body: unknown }> {
  const curl = /curl --cacert (\S+) --cert (\S+) --key (\S+) \\\n\s+(\S+)/.exec(output);
  if (curl === null) throw new Error(`no curl printed:\n${output}`);
  const [, cacert, cert, key, url] = curl;
  const file = (path: string): Buffer => readFileSync(resolve(ROOT, path));
  const agent = new Agent({ connect: { ca: file(cacert), cert: file(cert), key: file(key) } });
  try {
    return await call(agent, url);
  } finally {
    await agent.close();
  }
}

/** What was printed after the banner, whose last lines are the table of data sources. */
function afterBanner(output: string): string {
  const table = output.lastIndexOf('Data sources:');
  if (table === -1) throw new Error(`no banner printed:\n${output}`);
  const lines = output.slice(table).split('\n').slice(1);
  const end = lines.findIndex((line) => !line.startsWith('  '));
  return end === -1 ? '' : lines.slice(end).join('\n').trim();
}

/** The demo agencies' webhook receiver, as the banner prints where to read it. */
function receiverOf(output: string): string {
  const printed = /Webhooks received by the demo agencies: (http:\/\/127\.0\.0\.1:\d+)\/received/.exec(output);
  if (printed === null) throw new Error(`no webhook receiver printed:\n${output}`);
  return printed[1];
}

async function webhookOf(db: Client, organisation: string): Promise<string | undefined> {
  const { rows } = await db.query<{ url: string }>('SELECT url FROM organisation_webhook WHERE organisation = $1', [
    organisation,
  ]);
  return rows[0]?.url;
}

describe('npm start on a fresh machine', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pgPort: number;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: npm test builds it first (pretest)');
    dir = mkdtempSync(join(tmpdir(), 'passerelle-start-'));
    chmodSync(dir, 0o755);
    pgPort = await freePort();
    env = { ...process.env };
    delete env.DATABASE_URL;
    Object.assign(env, {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      CERTS_DIR: join(dir, 'certs-dev'),
      EMBEDDED_PG_DIR: join(dir, 'data', 'postgres'),
      EMBEDDED_PG_PORT: String(pgPort),
      AGENCY_PORT: String(await freePort()),
      PUBLIC_PORT: String(await freePort()),
      SIMULATOR_BASE_PORT: '0',
      DEMO_WEBHOOK_PORT: '0',
      DEV_IDP_PORT: '0',
      DEV_MAIL_SMTP_PORT: '0',
      DEV_MAIL_HTTP_PORT: '0',
      MAIL_DIR: join(dir, 'data', 'mail'),
    });
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates the PKI, starts PostgreSQL, serves the printed curl, stops cleanly and keeps its data', async () => {
    const first = start(env);
    try {
      await waitFor(first, 'First call');
    } catch (error) {
      first.child.kill('SIGKILL');
      throw error;
    }
    // The banner is the last thing on screen: nothing that the start set going writes after it, unasked
    // (requests made below are logged, rightly). Nest's assembly lines are at debug, and the development
    // IdP's knowingly accepted notices are not printed.
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(afterBanner(first.output())).toBe('');
      expect(first.output()).not.toContain('Mapped {');
      expect(first.output()).not.toMatch(/"context":"(NestFactory|InstanceLoader|RoutesResolver|RouterExplorer)"/);
      expect(first.output()).not.toMatch(/oidc-provider (WARNING|NOTICE)/);
    } catch (error) {
      // Stopped as an operator would, so that PostgreSQL stops with it and the test run can end.
      first.child.kill('SIGTERM');
      await first.exited;
      throw error;
    }
    for (const file of [
      'agency-ca.crt',
      'agency-ca.crl',
      'server.crt',
      'server.key',
      'rogue-ca.crt',
      'signing-key.pem',
    ]) {
      expect(existsSync(join(env.CERTS_DIR as string, file))).toBe(true);
    }
    const identities = ['afe', 'mess', 'retraite-qc', 'dec', 'rq', 'saaq', 'ramq'];
    for (const identity of [...identities, 'revoked', 'expired', 'unregistered', 'rogue']) {
      expect(existsSync(join(env.CERTS_DIR as string, 'agencies', `${identity}.crt`))).toBe(true);
    }
    // The four demo legacy systems run beside the gateway and answer.
    for (const product of ['etat-civil.naissance', 'revenu.avis-cotisation', 'saaq.adresse', 'ramq.admissibilite']) {
      expect(first.output()).toMatch(new RegExp(`${product.replace('.', '\\.')} v1 +[a-z-]+ +[a-z]+://\\S+ +live`));
    }
    const whoami = await followPrintedCurl(first.output());
    expect(whoami).toMatchObject({ status: 200, body: { organisation: 'afe' } });

    // The development IdP runs too; a token signed with its key, as `dev token` prints it, is accepted.
    const issuer = /Development IdP: (\S+)/.exec(first.output())?.[1] ?? '';
    expect(issuer).toMatch(/^http:\/\/localhost:\d+$/);
    const key = await loadDevIdpKey(join(env.CERTS_DIR as string, 'dev-idp-key.json'));
    const token = await mintDevToken(key, { issuer, audience: 'urn:passerelle:api', subject: 'demo-citizen-2' });
    const me = await fetch(`http://127.0.0.1:${env.PUBLIC_PORT as string}/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await me.json()).toEqual({ subject: 'demo-citizen-2', roles: [] });

    // The demo agencies' webhook receiver runs, and retraite-qc's webhook points at it.
    const receiver = receiverOf(first.output());
    expect(await (await fetch(`${receiver}/received`)).json()).toEqual([]);

    // The development mail server runs, and its inbox answers at the address the banner prints.
    const inbox = /development inbox\): (\S+)/.exec(first.output())?.[1] ?? '';
    expect(inbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await (await fetch(inbox)).text()).toContain('Passerelle development inbox');

    const db = new Client({ connectionString: `postgres://passerelle:passerelle-dev@127.0.0.1:${pgPort}/passerelle` });
    await db.connect();
    await db.query("INSERT INTO organisation (id, name, sector) VALUES ('survivor', 'Survives restarts', 'survivor')");
    expect(await webhookOf(db, 'retraite-qc')).toBe(`${receiver}/retraite-qc`);
    const bound = await db.query<{ organisation: string }>(
      "SELECT DISTINCT organisation_id AS organisation FROM certificate_binding WHERE organisation_id IN ('dec', 'rq', 'saaq', 'ramq')",
    );
    expect(bound.rows.map((row) => row.organisation).sort()).toEqual(['dec', 'ramq', 'rq', 'saaq']);
    await db.end();

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    expect(existsSync(join(env.EMBEDDED_PG_DIR as string, 'postmaster.pid'))).toBe(false);

    const second = start(env);
    try {
      await waitFor(second, 'First call');
      const again = new Client({
        connectionString: `postgres://passerelle:passerelle-dev@127.0.0.1:${pgPort}/passerelle`,
      });
      await again.connect();
      const { rows } = await again.query("SELECT name FROM organisation WHERE id = 'survivor'");
      // A receiver on another port this time: the demo webhook follows it.
      expect(await webhookOf(again, 'retraite-qc')).toBe(`${receiverOf(second.output())}/retraite-qc`);
      await again.end();
      expect(rows).toEqual([{ name: 'Survives restarts' }]);
      expect(await followPrintedCurl(second.output())).toMatchObject({ status: 200 });
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });

  it('refuses to start on a bad contract, naming the file and the JSON pointer, before starting anything', () => {
    const schemasDir = join(dir, 'schemas-broken');
    cpSync(join(ROOT, 'schemas'), schemasDir, { recursive: true });
    const file = join(schemasDir, 'products', 'saaq.adresse', 'v1', 'contract.json');
    const contract = JSON.parse(readFileSync(file, 'utf8')) as { source: { adapter: string } };
    contract.source.adapter = 'carrier-pigeon';
    writeFileSync(file, JSON.stringify(contract));
    const embeddedDir = join(dir, 'data-broken');
    const result = spawnSync(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...env, SCHEMAS_DIR: schemasDir, EMBEDDED_PG_DIR: embeddedDir },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/saaq\.adresse[/\\]v1[/\\]contract\.json#\/source\/adapter/);
    expect(existsSync(embeddedDir)).toBe(false);
  });

  it('refuses to start on a bad setting and names the variable', () => {
    const result = spawnSync(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...env, AGENCY_PORT: 'eighty', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('AGENCY_PORT');
    expect(result.stderr).toContain('LOG_LEVEL: must be one of');
  });
});
