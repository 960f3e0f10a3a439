import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { chainRecord, GENESIS_HASH } from '../src/audit/audit-chain';
import { AuditLog } from '../src/audit/audit-log';
import { asLogin } from '../src/platform/database/logins';
import { loadSigningKey } from '../src/platform/signing/signing-key';
import { adminUrlOf, ownerUrlOf, testEnv } from './setup/test-env';
import { bearer, citizenToken } from './support/citizen-tokens';
import { createTestDatabase, startTestGateway, type TestGateway } from './support/test-gateway';
import { CLI_MAIN } from './support/cli';

const RECORDS = 40;

describe('Verifiers anyone can run: public keys and read access, or an export and no database', () => {
  let gateway: TestGateway;
  let scratch: string;
  let checkpointDir: string;
  let jwks: string;
  const reader = { name: `passerelle_reader_${randomBytes(3).toString('hex')}`, password: 'reader-test' };

  /** The CLI as an auditor runs it: their own login, the gateway's public keys, and nothing else. */
  const cli = (args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CLI_MAIN, 'audit', ...args], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        DATABASE_URL: asLogin(gateway.databaseUrl, reader),
        AUDIT_CHECKPOINT_DIR: checkpointDir,
        // No signing key here: the verifier must not need one.
        CERTS_DIR: join(scratch, 'no-certs'),
        ...env,
      },
    });
  const exportJsonl = async (query = 'format=jsonl'): Promise<Response> =>
    fetch(`${gateway.publicUrl}/v1/audit/events/export?${query}`, {
      headers: bearer(await citizenToken('demo-officer', ['privacy-officer'])),
    });

  beforeAll(async () => {
    scratch = join(testEnv('root'), `verifiers-${randomBytes(4).toString('hex')}`);
    mkdirSync(scratch, { recursive: true });
    checkpointDir = join(scratch, 'checkpoints');
    gateway = await startTestGateway({ env: { AUDIT_CHECKPOINT_DIR: checkpointDir, AUDIT_CHECKPOINT_EVERY: '15' } });
    const { publicJwk } = await loadSigningKey(join(testEnv('certsDir'), 'signing-key.pem'));
    jwks = join(scratch, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [publicJwk] }));
    const audit = gateway.gateway.app.get(AuditLog);
    await Promise.all(
      Array.from({ length: RECORDS }, (_, i) =>
        audit.append({ kind: 'exchange.outcome', organisation: 'afe', decision: 'allow', correlationId: `c-${i}` }),
      ),
    );
    // An auditor's login: it may read the audit log and nothing else, so it could not have migrated anything.
    const admin = new Client({ connectionString: adminUrlOf(gateway.databaseUrl) });
    await admin.connect();
    await admin.query(`CREATE ROLE ${reader.name} LOGIN PASSWORD '${reader.password}'`);
    await admin.end();
    const owner = new Client({ connectionString: ownerUrlOf(gateway.databaseUrl) });
    await owner.connect();
    // The log and its signed evidence, stored with it.
    await owner.query(`GRANT SELECT ON audit_event, audit_checkpoint, audit_head TO ${reader.name}`);
    await owner.end();
  });

  afterAll(async () => {
    await gateway.stop();
    const admin = new Client({ connectionString: adminUrlOf(gateway.databaseUrl) });
    await admin.connect();
    await admin
      .query(`REVOKE ALL ON audit_event, audit_checkpoint, audit_head FROM ${reader.name}`)
      .catch(() => undefined);
    await admin.end();
  });

  it('audit verify passes with a read-only login and the public keys, and runs no migration', () => {
    const run = cli(['verify', '--jwks', jwks]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^audit log OK: head seq \d+/);
    expect(run.status).toBe(0);
  });

  it('audit verify needs no folder: the checkpoints and the signed head are stored with the log', () => {
    const run = cli(['verify', '--jwks', jwks], { AUDIT_CHECKPOINT_DIR: 'off' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^audit log OK: head seq \d+/);
    // Made every 15 records, and stored by the gateway whatever its folder.
    expect(run.stdout).toMatch(/ and [1-9]\d* checkpoints read /);
    expect(run.status).toBe(0);
  });

  it('audit verify --json: one document on standard output, for a script', () => {
    const run = cli(['verify', '--jwks', jwks, '--json']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const verdict = JSON.parse(run.stdout) as { outcome: string; head: { seq: number }; failure: unknown };
    expect(verdict).toMatchObject({ outcome: 'intact', failure: null });
    expect(verdict.head.seq).toBeGreaterThan(0);
  });

  it('audit verify cannot pass a log that no signature covers, nor read it without the evidence', async () => {
    // Records appended straight into a log of their own, as the application's login may: no signed head.
    const url = await createTestDatabase();
    const app = new Client({ connectionString: url });
    await app.connect();
    try {
      const first = chainRecord({ seq: 0, hash: GENESIS_HASH }, { kind: 'probe' }, new Date(), randomBytes(32));
      await app.query(
        `INSERT INTO audit_event (seq, recorded_at, kind, payload, prev_hash, record_hash, canonical)
         VALUES (1, $1, 'probe', $2::jsonb, $3, $4, $5)`,
        [first.payload.recordedAt, first.canonical, first.prevHash, first.recordHash, first.canonical],
      );
    } finally {
      await app.end();
    }
    const unsigned = cli(['verify', '--jwks', jwks], { DATABASE_URL: url, AUDIT_CHECKPOINT_DIR: 'off' });
    expect(unsigned.stderr).toMatch(/CANNOT BE VERIFIED: no signature covers the head \(seq 1\)/);
    expect(unsigned.status).toBe(3);
    // A login that may read the log but not its evidence cannot verify it either: it is told why.
    const owner = new Client({ connectionString: ownerUrlOf(gateway.databaseUrl) });
    await owner.connect();
    await owner.query(`REVOKE SELECT ON audit_checkpoint FROM ${reader.name}`);
    try {
      const blind = cli(['verify', '--jwks', jwks]);
      expect(blind.stderr).toMatch(/CANNOT BE VERIFIED: .*grant it SELECT on audit_checkpoint and audit_head/);
      expect(blind.status).toBe(3);
    } finally {
      await owner.query(`GRANT SELECT ON audit_checkpoint TO ${reader.name}`);
      await owner.end();
    }
  });

  it('audit verify without keys it can read cannot verify, and a usage error is 2', () => {
    expect(cli(['verify', '--jwks', join(scratch, 'missing.json')]).status).toBe(3);
    const usage = cli(['verify-export', join(scratch, 'x.jsonl')]);
    expect(usage.stderr).toContain('missing --jwks');
    expect(usage.status).toBe(2);
  });

  it('exports the chain as JSON lines up to the signed head, which verify-export checks with no database', async () => {
    const response = await exportJsonl();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/jsonl');
    const text = await response.text();
    const lines = text.trim().split('\n');
    const first = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(first).sort()).toEqual(['canonical', 'prevHash', 'recordHash', 'seq']);
    expect(JSON.parse(lines[lines.length - 1])).toHaveProperty('signedHead');
    const file = join(scratch, 'export.jsonl');
    writeFileSync(file, text);

    // No DATABASE_URL at all: the export, the keys and the checkpoints are everything.
    const offline = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const intact = cli(['verify-export', file, '--jwks', jwks, '--checkpoints', checkpointDir], offline);
    expect(intact.stdout).toMatch(new RegExp(`^audit export OK: head seq ${lines.length - 1}`));
    expect(intact.status).toBe(0);

    const edited = join(scratch, 'edited.jsonl');
    const record = JSON.parse(lines[9]) as { seq: number; canonical: string };
    lines[9] = JSON.stringify({ ...record, canonical: record.canonical.replace('"allow"', '"deny"') });
    writeFileSync(edited, `${lines.join('\n')}\n`);
    const broken = cli(['verify-export', edited, '--jwks', jwks], offline);
    expect(broken.stderr).toContain(`audit export BROKEN at seq ${record.seq}: record_hash does not match the record`);
    expect(broken.status).toBe(1);
    const brokenJson = cli(['verify-export', edited, '--jwks', jwks, '--json'], offline);
    expect(brokenJson.status).toBe(1);
    expect(JSON.parse(brokenJson.stdout)).toMatchObject({ outcome: 'broken', failure: { seq: record.seq } });

    const unsigned = join(scratch, 'unsigned.jsonl');
    writeFileSync(unsigned, readFileSync(file, 'utf8').trim().split('\n').slice(0, -1).join('\n'));
    const unverifiable = cli(['verify-export', unsigned, '--jwks', jwks], offline);
    expect(unverifiable.stderr).toMatch(/CANNOT BE VERIFIED: the export has no signed head/);
    expect(unverifiable.status).toBe(3);
  });

  it('refuses a filtered jsonl export: a chain with gaps could not be verified', async () => {
    const response = await exportJsonl('format=jsonl&org=afe');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid-request' });
  });
});
