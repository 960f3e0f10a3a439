import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { verifyExport } from '../src/audit/audit-jsonl';
import { AuditLog } from '../src/audit/audit-log';
import { verifyAuditLog, type AuditRow, type VerifyReport } from '../src/audit/audit-verify';
import { addMonths, partitionName } from '../src/audit/retention-plan';
import { loadSigningKey } from '../src/platform/signing/signing-key';
import { ownerUrlOf, testEnv } from './setup/test-env';
import { appendAt, createMonthPartition, linesOf, midMonth, monthsAgo } from './support/audit-months';
import { bearer, citizenToken } from './support/citizen-tokens';
import { createTestDatabase, startTestGateway, type TestGateway } from './support/test-gateway';
import { CLI_MAIN } from './support/cli';

const OLDEST = monthsAgo(4);
const OLDER = monthsAgo(3);
const OLD = monthsAgo(2);
const PREVIOUS = monthsAgo(1);
const PER_MONTH = 5;

describe('audit retention: old months exported, verified, and only then detached', () => {
  let gateway: TestGateway;
  let owner: Client;
  let scratch: string;
  let checkpointDir: string;
  let exportDir: string;
  let jwks: string;
  let publicJwk: Awaited<ReturnType<typeof loadSigningKey>>['publicJwk'];

  /** The CLI as an operator runs it: the owner's login beside the gateway's, and the gateway's signing key. */
  const cli = (args: string[]): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CLI_MAIN, 'audit', ...args], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        DATABASE_URL: gateway.databaseUrl,
        DATABASE_OWNER_URL: ownerUrlOf(gateway.databaseUrl),
        AUDIT_CHECKPOINT_DIR: checkpointDir,
        CERTS_DIR: testEnv('certsDir'),
      },
    });
  const retention = (...args: string[]): SpawnSyncReturns<string> =>
    cli(['retention', '--export-dir', exportDir, ...args]);
  const attached = async (): Promise<string[]> =>
    (
      await owner.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'audit_event'::regclass ORDER BY 1`,
      )
    ).rows.map((row) => row.name);
  const verify = (): Promise<VerifyReport> =>
    verifyAuditLog(async (text, values) => (await owner.query<AuditRow>(text, values)).rows, checkpointDir, {
      keys: [publicJwk],
    });
  /** As the owner with the append-only trigger off on `table`: what an operator who turns on the log can do. */
  const asOperator = async (table: string, sql: string, values: unknown[] = []): Promise<void> => {
    await owner.query('BEGIN');
    await owner.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
    await owner.query(sql, values);
    await owner.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
    await owner.query('COMMIT');
  };
  const file = (month: string): string => join(exportDir, `${partitionName(month)}.jsonl`);

  beforeAll(async () => {
    scratch = join(testEnv('root'), `retention-${randomBytes(4).toString('hex')}`);
    checkpointDir = join(scratch, 'checkpoints');
    exportDir = join(scratch, 'exports');
    mkdirSync(scratch, { recursive: true });
    const databaseUrl = await createTestDatabase();
    owner = new Client({ connectionString: ownerUrlOf(databaseUrl) });
    await owner.connect();
    for (const month of [OLDEST, OLDER, OLD]) await createMonthPartition(owner, month);
    gateway = await startTestGateway({
      databaseUrl,
      env: { AUDIT_CHECKPOINT_DIR: checkpointDir, AUDIT_CHECKPOINT_EVERY: '4' },
    });
    publicJwk = (await loadSigningKey(join(testEnv('certsDir'), 'signing-key.pem'))).publicJwk;
    jwks = join(scratch, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [publicJwk] }));
    const audit = gateway.gateway.app.get(AuditLog);
    const first = await appendAt(audit, midMonth(OLDEST), PER_MONTH);
    expect(Math.min(...first)).toBe(1);
    await appendAt(audit, midMonth(OLDER), PER_MONTH);
    await appendAt(audit, midMonth(OLD), PER_MONTH);
    await Promise.all([1, 2, 3].map((i) => audit.append({ kind: 'probe', correlationId: `now-${i}` })));
  });

  afterAll(async () => {
    await gateway.stop();
    await owner.end();
  });

  it('refuses to take out the current or the previous month', async () => {
    const before = await attached();
    for (const month of [addMonths(PREVIOUS, 1), addMonths(PREVIOUS, 2)]) {
      const run = retention('--before', month, '--execute');
      expect(run.stderr).toContain(
        `audit retention REFUSED: --before ${month} would take out the current or the previous month; ` +
          `the latest allowed is --before ${PREVIOUS}`,
      );
      expect(run.status).toBe(1);
    }
    expect(await attached()).toEqual(before);
  });

  it('is a dry run without --execute (and with --dry-run): it plans and verifies, and takes nothing out', async () => {
    const before = await attached();
    for (const args of [[], ['--execute', '--dry-run']]) {
      const run = retention('--before', OLD, ...args);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(`${partitionName(OLDEST)} (seq 1 to 5): would be taken out`);
      expect(run.stdout).toContain(`${partitionName(OLDER)} (seq 6 to 10): would be taken out`);
      expect(run.stdout).not.toContain(partitionName(OLD));
      expect(run.stdout).toMatch(/audit log verified: \d+ records/);
      expect(run.stdout).toContain('dry run: nothing exported, signed or detached');
      expect(run.status).toBe(0);
    }
    expect(existsSync(exportDir)).toBe(false);
    expect(await attached()).toEqual(before);
  });

  it('refuses while the log does not verify, and takes nothing out', async () => {
    const before = await attached();
    const { rows } = await owner.query<{ canonical: string }>('SELECT canonical FROM audit_event WHERE seq = 7');
    await asOperator(
      'audit_event',
      "UPDATE audit_event SET canonical = replace(canonical, 'allow', 'deny') WHERE seq = 7",
    );
    try {
      const run = retention('--before', OLD, '--execute');
      expect(run.stderr).toMatch(/audit retention REFUSED: the audit log does not verify \(broken, seq 7: /);
      expect(run.status).toBe(1);
      expect(existsSync(file(OLDEST))).toBe(false);
      expect(await attached()).toEqual(before);
    } finally {
      await asOperator('audit_event', 'UPDATE audit_event SET canonical = $1 WHERE seq = 7', [rows[0].canonical]);
    }
  });

  it('exports, verifies and detaches each whole month before the cutoff, oldest first', async () => {
    const run = retention('--before', OLD, '--execute');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      new RegExp(
        `${partitionName(OLDEST)}: 5 records exported to .*, verified, detached\\n[^]*${partitionName(OLDER)}: 5 records`,
      ),
    );
    expect(run.stdout).toMatch(new RegExp(`taken out: ${OLDEST}, ${OLDER}; audit log OK from seq 11: head seq \\d+`));
    expect(run.status).toBe(0);
    const left = await attached();
    expect(left).not.toContain(partitionName(OLDEST));
    expect(left).not.toContain(partitionName(OLDER));
    expect(left).toContain(partitionName(OLD));
    // Kept without --drop, as tables of their own that stay append-only.
    await expect(owner.query(`DELETE FROM ${partitionName(OLDEST)}`)).rejects.toThrow(/append-only/);
    const statements = await owner.query<{ seq: string; partition: string }>(
      'SELECT seq, partition FROM audit_retention ORDER BY seq',
    );
    expect(statements.rows).toEqual([
      { seq: '5', partition: partitionName(OLDEST) },
      { seq: '10', partition: partitionName(OLDER) },
    ]);
    expect(existsSync(join(checkpointDir, 'retained-000000000010.jws'))).toBe(true);
  });

  it("verifies each month's export with no database: from the first record, or from the month before", () => {
    const oldest = cli(['verify-export', file(OLDEST), '--jwks', jwks, '--checkpoints', checkpointDir]);
    expect(oldest.stdout).toMatch(/^audit export OK: head seq 5,/);
    expect(oldest.status).toBe(0);
    const older = cli(['verify-export', file(OLDER), '--jwks', jwks]);
    expect(older.stdout).toMatch(/^audit export OK: head seq 10,/);
    expect(older.stdout).toContain('it starts at seq 6, after a signed retention statement');
    expect(older.status).toBe(0);

    const lines = readFileSync(file(OLDER), 'utf8').trim().split('\n');
    expect(Object.keys(JSON.parse(lines[0]) as object)).toEqual(['retainedFrom']);
    expect(Object.keys(JSON.parse(lines[lines.length - 1]) as object)).toEqual(['retained']);
    const edited = join(scratch, 'edited.jsonl');
    writeFileSync(edited, `${lines.map((line) => line.replace('\\"allow\\"', '\\"deny\\"')).join('\n')}\n`);
    const broken = cli(['verify-export', edited, '--jwks', jwks]);
    expect(broken.stderr).toContain('audit export BROKEN at seq 6: record_hash does not match the record');
    expect(broken.status).toBe(1);
    // Without the statement it opens with, the month hangs from nothing.
    const unanchored = join(scratch, 'unanchored.jsonl');
    writeFileSync(unanchored, `${lines.slice(1).join('\n')}\n`);
    const missing = cli(['verify-export', unanchored, '--jwks', jwks]);
    expect(missing.stderr).toContain('audit export BROKEN at seq 1: missing record');
    expect(missing.status).toBe(1);
  });

  it('audit verify passes once the months are gone, from the first record left, and appends go on', async () => {
    await gateway.gateway.app.get(AuditLog).append({ kind: 'probe', correlationId: 'after-retention' });
    const run = cli(['verify', '--jwks', jwks]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^audit log OK: head seq \d+/);
    expect(run.stdout).toContain(
      `records up to seq 10 were exported and taken out (the last from ${partitionName(OLDER)})`,
    );
    expect(run.status).toBe(0);
    expect(await verify()).toMatchObject({ outcome: 'intact', retained: { seq: 10, partition: partitionName(OLDER) } });
    const integrity = await fetch(`${gateway.publicUrl}/v1/audit/integrity`, {
      headers: bearer(await citizenToken('demo-officer', ['privacy-officer'])),
    });
    expect(await integrity.json()).toMatchObject({ ok: true, outcome: 'intact', retained: { seq: 10 } });
  });

  it('the whole-log export opens with the statement of the months taken out, and verifies', async () => {
    const response = await fetch(`${gateway.publicUrl}/v1/audit/events/export?format=jsonl`, {
      headers: bearer(await citizenToken('demo-officer', ['privacy-officer'])),
    });
    const lines = (await response.text()).trim().split('\n');
    expect(Object.keys(JSON.parse(lines[0]) as object)).toEqual(['retainedFrom']);
    expect(JSON.parse(lines[1])).toMatchObject({ seq: 11 });
    const report = await verifyExport(linesOf(lines), { keys: [publicJwk] }, []);
    expect(report).toMatchObject({ outcome: 'intact', from: 11 });
  });

  it("with a month's statement gone, the verifier finds the hole and nothing more is taken out", async () => {
    const mirror = join(checkpointDir, 'retained-000000000010.jws');
    const { rows } = await owner.query<{ jws: string }>('SELECT jws FROM audit_retention WHERE seq = 10');
    await asOperator('audit_retention', 'DELETE FROM audit_retention WHERE seq = 10');
    renameSync(mirror, `${mirror}.away`);
    try {
      const run = retention('--before', PREVIOUS, '--execute');
      expect(run.stderr).toContain(
        'audit retention REFUSED: the audit log does not verify (broken, seq 6: missing record): nothing is taken out',
      );
      expect(run.status).toBe(1);
      expect(await attached()).toContain(partitionName(OLD));
      expect((await verify()).failure).toEqual({ seq: 6, reason: 'missing record' });
    } finally {
      renameSync(`${mirror}.away`, mirror);
      await owner.query(`INSERT INTO audit_retention (seq, partition, jws) VALUES (10, $1, $2)`, [
        partitionName(OLDER),
        rows[0].jws,
      ]);
    }
  });

  it('takes the next month with --drop, and there is then nothing left to take', async () => {
    const run = retention('--before', PREVIOUS, '--execute', '--drop');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      new RegExp(`${partitionName(OLD)}: 5 records exported to .*, verified, detached and dropped`),
    );
    expect(run.status).toBe(0);
    const gone = await owner.query<{ table: string | null }>('SELECT to_regclass($1)::text AS table', [
      partitionName(OLD),
    ]);
    expect(gone.rows[0].table).toBeNull();
    const exported = cli(['verify-export', file(OLD), '--jwks', jwks]);
    expect(exported.stdout).toMatch(/^audit export OK: head seq 15,/);
    expect(await verify()).toMatchObject({ outcome: 'intact', retained: { seq: 15 } });

    const again = retention('--before', PREVIOUS, '--execute');
    expect(again.stdout).toContain(`no month before ${PREVIOUS} can be taken out`);
    expect(again.status).toBe(0);
  });
});
