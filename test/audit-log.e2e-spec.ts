import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { canonicalOf, hashCanonical, type AuditPayload } from '../src/audit/audit-chain';
import { AuditLog } from '../src/audit/audit-log';
import { verifyAuditLog, type AuditRow, type VerifyOptions, type VerifyReport } from '../src/audit/audit-verify';
import { loadSigningKey } from '../src/platform/signing/signing-key';
import { ownerUrlOf, testEnv } from './setup/test-env';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';
import { CLI_MAIN } from './support/cli';

const RECORDS = 120;
const NOTE = 'two\nlines, "quoted", back\\slash, tab\t, é and \u2028';

describe('The audit log: one sequencer, a hash chain, signed checkpoints, and tampering detected', () => {
  let gateway: TestGateway;
  let checkpointDir: string;
  let db: Client;
  let publicJwk: Awaited<ReturnType<typeof loadSigningKey>>['publicJwk'];

  const verify = (client: Client = db, options?: VerifyOptions): Promise<VerifyReport> =>
    verifyAuditLog(
      async (text, values) => (await client.query<AuditRow>(text, values)).rows,
      checkpointDir,
      { keys: [publicJwk] },
      options,
    );
  // Three segments of 40 records, read in pages of 7: boundaries after seq 40 and 80.
  const SEGMENTED: VerifyOptions = { page: 7, segments: 3 };

  /** Tampers inside a transaction that is rolled back: each case starts from the intact log. */
  const tampered = async (sql: (client: Client) => Promise<void>): Promise<VerifyReport> => {
    await db.query('BEGIN');
    try {
      await db.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only');
      await sql(db);
      const whole = await verify();
      // Read in segments, the log fails at the same seq for the same reason.
      expect((await verify(db, SEGMENTED)).failure).toEqual(whole.failure);
      return whole;
    } finally {
      await db.query('ROLLBACK');
    }
  };

  beforeAll(async () => {
    checkpointDir = join(testEnv('root'), `audit-checkpoints-${process.pid}`);
    gateway = await startTestGateway({
      env: {
        AUDIT_CHECKPOINT_DIR: checkpointDir,
        AUDIT_CHECKPOINT_EVERY: '50',
        AUDIT_CHECKPOINT_INTERVAL_MS: '3600000',
      },
    });
    publicJwk = (await loadSigningKey(join(testEnv('certsDir'), 'signing-key.pem'))).publicJwk;
    // The owner's login: it can disable the triggers, as an operator who turns on the log would.
    db = new Client({ connectionString: ownerUrlOf(gateway.databaseUrl) });
    await db.connect();
    const audit = gateway.gateway.app.get(AuditLog);
    // Three waves of concurrent appends: the sequencer batches each wave into one transaction.
    const seqs: number[] = [];
    for (let wave = 0; wave < 3; wave++) {
      const appended = await Promise.all(
        Array.from({ length: RECORDS / 3 }, (_, j) => {
          const i = wave * (RECORDS / 3) + j;
          return audit.append({
            kind: 'exchange.outcome',
            organisation: 'afe',
            citizen: `demo-citizen-${(i % 5) + 1}`,
            product: 'revenu.avis-cotisation',
            purpose: 'afe.calcul-aide',
            decision: i % 3 === 0 ? 'deny' : 'allow',
            reason: i % 3 === 0 ? 'no-consent' : undefined,
            correlationId: `corr-${i}`,
            // Line breaks, quotes and backslashes in a record: its canonical text must reach the table unchanged.
            details: i % 7 === 0 ? { note: NOTE } : undefined,
          });
        }),
      );
      seqs.push(...appended);
    }
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: RECORDS }, (_, i) => i + 1));
    await audit.checkpoint();
  });

  afterAll(async () => {
    await db.end();
    await gateway.stop();
  });

  it('numbers concurrent appends without gaps, and checkpoints once 50 records have passed and at the head', async () => {
    const { rows } = await db.query<{ n: string; max: string }>(
      'SELECT count(*) AS n, max(seq) AS max FROM audit_event',
    );
    expect(rows[0]).toEqual({ n: String(RECORDS), max: String(RECORDS) });
    // Stored with the log, each naming the one before it; the folder holds a copy of each.
    const stored = await db.query<{ seq: string; jws: string }>('SELECT seq, jws FROM audit_checkpoint ORDER BY seq');
    expect(stored.rows.map((row) => Number(row.seq))).toEqual([80, RECORDS]);
    const [, payload] = stored.rows[1].jws.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toMatchObject({ seq: RECORDS, prev: 80 });
    const files = readdirSync(checkpointDir).filter((f) => f.startsWith('checkpoint-'));
    expect(files).toEqual(['checkpoint-000000000080.jws', `checkpoint-${String(RECORDS).padStart(12, '0')}.jws`]);
    expect(readFileSync(join(checkpointDir, files[1]), 'utf8')).toBe(stored.rows[1].jws);
    const report = await verify();
    expect(report).toMatchObject({
      ok: true,
      outcome: 'intact',
      verified: RECORDS,
      latestCheckpoint: { seq: RECORDS },
      signedHead: { seq: RECORDS, state: 'appending' },
    });
    const segmented = await verify(db, SEGMENTED);
    expect(segmented).toMatchObject({ ok: true, verified: RECORDS, head: report.head, checkpoints: 2 });
    const noted = await db.query<{ payload: AuditPayload; canonical: string }>(
      "SELECT payload, canonical FROM audit_event WHERE payload->'details' ? 'note' ORDER BY seq",
    );
    expect(noted.rows).toHaveLength(Math.ceil(RECORDS / 7));
    for (const row of noted.rows) {
      expect(row.payload.details).toEqual({ note: NOTE });
      expect(row.canonical).toBe(canonicalOf(row.payload));
    }
  });

  it('stores citizens only as pseudonyms', async () => {
    const { rows } = await db.query<{ payload: AuditPayload; citizen_pseudonym: string }>(
      'SELECT payload, citizen_pseudonym FROM audit_event',
    );
    expect(JSON.stringify(rows)).not.toContain('demo-citizen');
    expect(rows[0].citizen_pseudonym).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(rows.map((r) => r.citizen_pseudonym)).size).toBe(5);
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database, even to the owner while the triggers stand', async () => {
    await expect(db.query("UPDATE audit_event SET decision = 'allow' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_event WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE audit_event')).rejects.toThrow(/append-only/);
  });

  it('detects an edited record', async () => {
    const report = await tampered((c) =>
      c
        .query(`UPDATE audit_event SET payload = jsonb_set(payload, '{purpose}', '"mess.aide-sociale"') WHERE seq = 30`)
        .then(),
    );
    expect(report.failure).toEqual({ seq: 30, reason: 'columns differ from the hashed record' });
  });

  it('detects an edited hashed text', async () => {
    const report = await tampered((c) =>
      c
        .query(
          `UPDATE audit_event SET canonical = replace(canonical, 'afe.calcul-aide', 'mess.aide-sociale') WHERE seq = 31`,
        )
        .then(),
    );
    expect(report.failure).toEqual({ seq: 31, reason: 'record_hash does not match the record' });
  });

  it('detects a column edited beside its intact record', async () => {
    const report = await tampered((c) => c.query(`UPDATE audit_event SET organisation = 'mess' WHERE seq = 5`).then());
    expect(report.failure).toEqual({ seq: 5, reason: 'columns differ from the hashed record' });
  });

  it('detects a deleted record', async () => {
    const report = await tampered((c) => c.query('DELETE FROM audit_event WHERE seq = 40').then());
    expect(report.failure).toEqual({ seq: 40, reason: 'missing record' });
  });

  it('detects a record relinked where a segment begins', async () => {
    const report = await tampered(async (c) => {
      const { rows } = await c.query<{ canonical: string }>('SELECT canonical FROM audit_event WHERE seq = 41');
      const prevHash = 'f'.repeat(64);
      await c.query('UPDATE audit_event SET prev_hash = $1, record_hash = $2 WHERE seq = 41', [
        prevHash,
        hashCanonical(prevHash, 41, rows[0].canonical),
      ]);
    });
    expect(report.failure).toEqual({ seq: 41, reason: 'prev_hash does not follow' });
  });

  it('detects reordered records', async () => {
    const report = await tampered(async (c) => {
      await c.query('UPDATE audit_event SET seq = 1000061 WHERE seq = 61');
      await c.query('UPDATE audit_event SET seq = 61 WHERE seq = 60');
      await c.query('UPDATE audit_event SET seq = 60 WHERE seq = 1000061');
    });
    expect(report.failure?.seq).toBe(60);
  });

  it('detects a forged record inserted with the chain recomputed, without the signing key', async () => {
    const report = await tampered(async (c) => {
      const { rows } = await c.query<{ payload: AuditPayload; prev_hash: string }>(
        'SELECT payload, prev_hash FROM audit_event WHERE seq >= 70 ORDER BY seq',
      );
      await c.query('DELETE FROM audit_event WHERE seq >= 70');
      const { reason: _reason, ...forged } = { ...rows[0].payload, decision: 'allow' };
      let prevHash = rows[0].prev_hash;
      for (const [i, original] of [forged, ...rows.map((r) => r.payload)].entries()) {
        const payload: AuditPayload = { ...original, seq: 70 + i };
        const canonical = canonicalOf(payload);
        const hash = hashCanonical(prevHash, payload.seq, canonical);
        await c.query(
          `INSERT INTO audit_event (seq, recorded_at, kind, organisation, citizen_pseudonym, product, purpose, decision,
             correlation_id, payload, prev_hash, record_hash, canonical)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
          [
            payload.seq,
            payload.recordedAt,
            payload.kind,
            payload.organisation ?? null,
            payload.citizen ?? null,
            payload.product ?? null,
            payload.purpose ?? null,
            payload.decision ?? null,
            payload.correlationId ?? null,
            canonical,
            prevHash,
            hash,
            canonical,
          ],
        );
        prevHash = hash;
      }
    });
    // Internally consistent, but the signed checkpoint at 80 vouches for another chain.
    expect(report.failure).toEqual({ seq: 80, reason: 'differs from the signed checkpoint' });
  });

  it('detects a truncated tail', async () => {
    const report = await tampered((c) => c.query('DELETE FROM audit_event WHERE seq > 110').then());
    expect(report.failure).toEqual({ seq: 111, reason: `truncated: a checkpoint vouches for seq ${RECORDS}` });
  });

  it('detects a checkpoint removed from the table, though its copy is in the folder', async () => {
    const report = await tampered(async (c) => {
      await c.query('ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_append_only');
      await c.query('DELETE FROM audit_checkpoint WHERE seq = 80');
    });
    expect(report.failure).toEqual({
      seq: 80,
      reason: `a signed checkpoint is missing: the checkpoint at seq ${RECORDS} follows it`,
    });
  });

  it('detects a checkpoint row whose signature was swapped for another checkpoint’s', async () => {
    const report = await tampered(async (c) => {
      await c.query('ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_append_only');
      await c.query(
        'UPDATE audit_checkpoint SET jws = (SELECT jws FROM audit_checkpoint WHERE seq = 80) WHERE seq = $1',
        [RECORDS],
      );
    });
    expect(report.failure?.reason).toBe(`checkpoint signature invalid: audit_checkpoint seq ${RECORDS}`);
  });

  it('detects a forged checkpoint file', async () => {
    const fake = join(checkpointDir, 'checkpoint-000000000999.jws');
    writeFileSync(fake, 'eyJhbGciOiJFUzI1NiJ9.eyJzZXEiOjk5OX0.c2lnbmF0dXJl');
    try {
      expect((await verify()).failure?.reason).toMatch(/checkpoint signature invalid/);
    } finally {
      rmSync(fake, { force: true });
    }
  });

  it('audit verify (CLI) passes on the intact log, then exits non-zero naming the first bad seq', async () => {
    const jwks = join(checkpointDir, '..', `jwks-${process.pid}.json`);
    writeFileSync(jwks, JSON.stringify({ keys: [publicJwk] }));
    const run = (command = 'verify'): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, [CLI_MAIN, 'audit', command, ...(command === 'export' ? [] : ['--jwks', jwks])], {
        cwd: join(__dirname, '..'),
        encoding: 'utf8',
        env: {
          ...process.env,
          DATABASE_URL: gateway.databaseUrl,
          CERTS_DIR: testEnv('certsDir'),
          AUDIT_CHECKPOINT_DIR: checkpointDir,
        },
      });
    const intact = run();
    expect(intact.stdout).toContain(`audit log OK: head seq ${RECORDS}`);
    expect(intact.status).toBe(0);
    const exported = run('export');
    expect(exported.status).toBe(0);
    const lines = String(exported.stdout).trim().split('\n');
    expect(lines[0]).toBe(
      'seq,recordedAt,kind,organisation,citizen,product,purpose,decision,reason,correlationId,basis',
    );
    expect(lines).toHaveLength(RECORDS + 1);
    expect(lines[1]).toMatch(/^1,/);

    await db.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only');
    await db.query(
      `UPDATE audit_event SET canonical = replace(canonical, 'afe.calcul-aide', 'mess.aide-sociale') WHERE seq = 77`,
    );
    await db.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only');
    const broken = run();
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('audit log BROKEN at seq 77');

    // The officers' integrity route sees the same break.
    const response = await fetch(`${gateway.publicUrl}/v1/audit/integrity`, {
      headers: bearer(await citizenToken('demo-officer', ['privacy-officer'])),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: false,
      failure: { seq: 77, reason: 'record_hash does not match the record' },
    });
  });
});
