import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Dispatcher } from 'undici';
import { loadSigningKey } from '../src/platform/signing/signing-key';
import { ownerUrlOf, testEnv } from './setup/test-env';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { sharedTestEnv } from './support/child-gateway-env';
import { startGateway, stopGateway, type Gateway } from './support/gateway-process';
import { createTestDatabase, eventually } from './support/test-gateway';
import { CLI_MAIN } from './support/cli';

/** A checkpoint every few records, and none on a timer: which node makes them follows from the exchanges alone. */
const EVERY = 3;

interface StoredCheckpoint {
  seq: number;
  node: string;
  jws: string;
}

/** What a signed statement says, unverified: the test reads what the verifier checks. */
function payloadOf(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('Two gateway nodes on one PostgreSQL: one place for the signed evidence', () => {
  let databaseUrl: string;
  let scratch: string;
  let a: Gateway;
  let b: Gateway;
  let owner: Client;
  let jwks: string;
  let agent: Dispatcher;

  /** Node A keeps a copy of its evidence in a folder; node B has none. */
  const startNode = (name: 'a' | 'b'): Promise<Gateway> =>
    startGateway({
      databaseUrl,
      dir: join(scratch, name),
      env: {
        ...sharedTestEnv(),
        AUDIT_CHECKPOINT_EVERY: String(EVERY),
        AUDIT_CHECKPOINT_INTERVAL_MS: '3600000',
        ...(name === 'b' ? { AUDIT_CHECKPOINT_DIR: 'off' } : {}),
      },
    });
  const folderOf = (name: 'a' | 'b'): string => join(scratch, name, 'checkpoints');
  const exchange = (node: Gateway): Promise<AgencyResponse> =>
    call(agent, `https://localhost:${node.agencyPort}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        product: 'saaq.adresse',
        version: 1,
        purpose: 'mess.aide-sociale',
        citizen: citizenIdOf('mess', 'demo-citizen-1'),
      }),
    });
  const exchangesOn = async (...nodes: Gateway[]): Promise<void> => {
    for (const node of nodes) expect((await exchange(node)).status).toBe(200);
  };
  const stored = async (): Promise<StoredCheckpoint[]> =>
    (
      await owner.query<{ seq: string; node: string; jws: string }>(
        'SELECT seq, node, jws FROM audit_checkpoint ORDER BY seq',
      )
    ).rows.map((row) => ({ seq: Number(row.seq), node: row.node, jws: row.jws }));
  const storedHead = async (): Promise<Record<string, unknown>> => {
    const { rows } = await owner.query<{ jws: string }>('SELECT jws FROM audit_head');
    return payloadOf(rows[0].jws);
  };
  /** The admin CLI from the build, as an auditor runs it: their database login and the public keys, no key of their own. */
  const cli = (args: string[], env: Record<string, string>): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CLI_MAIN, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, NODE_ENV: 'development', CERTS_DIR: join(scratch, 'none'), ...env },
    });
  /** `audit verify`: the database and the public keys, and no folder unless given. */
  const verify = (...args: string[]): SpawnSyncReturns<string> =>
    cli(['audit', 'verify', '--jwks', jwks, ...args], { DATABASE_URL: databaseUrl, AUDIT_CHECKPOINT_DIR: 'off' });
  /** As the owner, the append-only trigger off: what an operator with every right over the database can do. */
  const asOperator = async (sql: string, values: unknown[] = []): Promise<void> => {
    await owner.query('BEGIN');
    await owner.query('ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_append_only');
    await owner.query(sql, values);
    await owner.query('ALTER TABLE audit_checkpoint ENABLE TRIGGER audit_checkpoint_append_only');
    await owner.query('COMMIT');
  };
  const restore = (row: StoredCheckpoint): Promise<void> =>
    asOperator('INSERT INTO audit_checkpoint (seq, node, signed_at, jws) VALUES ($1, $2, now(), $3)', [
      row.seq,
      row.node,
      row.jws,
    ]);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    scratch = mkdtempSync(join(testEnv('root'), 'shared-evidence-'));
    a = await startNode('a');
    b = await startNode('b');
    const granted = await grantConsent(`http://127.0.0.1:${a.publicPort}`, 'demo-citizen-1', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(granted.status).toBe(201);
    agent = agencyAgent(testEnv('certsDir'), 'mess');
    owner = new Client({ connectionString: ownerUrlOf(databaseUrl) });
    await owner.connect();
    const { publicJwk } = await loadSigningKey(join(testEnv('certsDir'), 'signing-key.pem'));
    jwks = join(scratch, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [publicJwk] }));
  }, 180_000);

  afterAll(async () => {
    await owner?.end();
    await Promise.all([a, b].filter((node) => node !== undefined).map((node) => stopGateway(node)));
  });

  it('appends exchanges from both nodes to one chain, and stores both nodes’ checkpoints in the one table', async () => {
    // Each exchange is two records (intent, outcome): one node's batch follows the other's, turn by turn.
    for (let turn = 0; turn < 6; turn++) await exchangesOn(a, b);
    const nodes = (rows: StoredCheckpoint[]): Set<string> =>
      new Set(rows.map((row) => row.node.split('#').pop() ?? ''));
    await eventually(async () => nodes(await stored()).size === 2, 'checkpoints signed by both nodes', 10_000);
    const { rows } = await owner.query<{ n: string; last: string }>(
      'SELECT count(*) AS n, max(seq) AS last FROM audit_event',
    );
    expect(rows[0].n).toBe(rows[0].last);
    const checkpoints = await stored();
    expect(nodes(checkpoints)).toEqual(new Set([String(a.child.pid), String(b.child.pid)]));
    // Each stored checkpoint names the one stored before it, whichever node signed that one.
    checkpoints.forEach((row, i) => {
      expect(payloadOf(row.jws)).toMatchObject({
        seq: row.seq,
        node: row.node,
        prev: i === 0 ? 0 : checkpoints[i - 1].seq,
      });
    });
    // Node A's folder is a copy of its own checkpoints; node B has none, and lost nothing by it.
    const ofA = checkpoints.filter((row) => row.node.endsWith(`#${a.child.pid}`)).map((row) => row.seq);
    const files = readdirSync(folderOf('a')).filter((name) => name.startsWith('checkpoint-'));
    expect(files).toEqual(ofA.map((seq) => `checkpoint-${String(seq).padStart(12, '0')}.jws`));
    expect(existsSync(folderOf('b'))).toBe(false);
    // The stored head is the last batch's, signed by the node that committed it.
    expect(await storedHead()).toMatchObject({ seq: Number(rows[0].last), state: 'appending' });
    // A batch on the head its node wrote last is one statement; after the other node's, it reads and checks first.
    // (How many take each path depends on timing, and on checkpoints, after which a batch also reads first.)
    for (const node of [a, b]) {
      const metrics = await (await fetch(`http://127.0.0.1:${node.metricsPort}/metrics`)).text();
      const batches = (path: string): number =>
        Number(new RegExp(`^passerelle_audit_batches_total\\{path="${path}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
      expect(batches('on-head')).toBeGreaterThanOrEqual(1);
      expect(batches('observed')).toBeGreaterThanOrEqual(1);
    }
  });

  it('audit verify passes reading only the database, and so does each node’s integrity report', async () => {
    const count = (await stored()).length;
    const run = verify();
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^audit log OK: head seq \d+/);
    expect(run.stdout).toContain(` and ${count} checkpoints read `);
    expect(run.status).toBe(0);
    for (const node of [b, a]) {
      const response = await fetch(`http://127.0.0.1:${node.publicPort}/v1/audit/integrity`, {
        headers: bearer(await citizenToken('demo-officer', ['privacy-officer'])),
      });
      expect(response.status).toBe(200);
      const report = (await response.json()) as { ok: boolean; checkpoints: number; latestCheckpoint: { seq: number } };
      expect(report.ok).toBe(true);
      // The report counts the stored checkpoints, whoever signed them (the officer's own query may add one).
      expect(report.checkpoints).toBeGreaterThanOrEqual(count);
      expect((await stored()).map((row) => row.seq)).toContain(report.latestCheckpoint.seq);
    }
  });

  it('a node that restarts builds on the chain the other node advanced meanwhile', async () => {
    await stopGateway(a);
    await exchangesOn(b, b, b);
    a = await startNode('a');
    await exchangesOn(a, b, a);
    // A's folder now vouches for a head of its own, older than the log's: verified beside the table.
    const run = verify('--checkpoints', folderOf('a'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);

  it('gives a third party an export from a node with no folder, and the checkpoints copied out of the table', async () => {
    const response = await fetch(`http://127.0.0.1:${b.publicPort}/v1/audit/events/export?format=jsonl`, {
      headers: bearer(await citizenToken('demo-officer', ['privacy-officer'])),
    });
    expect(response.status).toBe(200);
    const file = join(scratch, 'export.jsonl');
    writeFileSync(file, await response.text());
    const evidence = join(scratch, 'evidence');
    const copied = cli(['audit', 'checkpoints', evidence], { DATABASE_URL: databaseUrl });
    expect(copied.stdout).toMatch(/^\d+ checkpoint\(s\) and the signed head \(seq \d+\) copied to /);
    expect(copied.status).toBe(0);
    // No database at all: the export, the public keys and the copies.
    const offline = cli(['audit', 'verify-export', file, '--jwks', jwks, '--checkpoints', evidence], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(offline.stderr).toBe('');
    expect(offline.stdout).toMatch(
      /^audit export OK: head seq \d+, [0-9a-f]{64}\n\d+ records and [1-9]\d* checkpoints read /,
    );
    expect(offline.status).toBe(0);
  });

  it('detects a stored checkpoint whose signature was swapped for another’s', async () => {
    const [first, second] = await stored();
    await asOperator('UPDATE audit_checkpoint SET jws = $1 WHERE seq = $2', [first.jws, second.seq]);
    try {
      const run = verify();
      expect(run.stderr).toContain(`BROKEN at seq`);
      expect(run.stderr).toContain(`checkpoint signature invalid: audit_checkpoint seq ${second.seq}`);
      expect(run.status).toBe(1);
    } finally {
      await asOperator('UPDATE audit_checkpoint SET jws = $1 WHERE seq = $2', [second.jws, second.seq]);
    }
    expect(verify().status).toBe(0);
  });

  it('detects a stored checkpoint deleted from the middle', async () => {
    const [, second] = await stored();
    await asOperator('DELETE FROM audit_checkpoint WHERE seq = $1', [second.seq]);
    try {
      const run = verify();
      expect(run.stderr).toMatch(
        new RegExp(
          `BROKEN at seq ${second.seq}: a signed checkpoint is missing: the checkpoint at seq \\d+ follows it`,
        ),
      );
      expect(run.status).toBe(1);
    } finally {
      await restore(second);
    }
    expect(verify().status).toBe(0);
  });

  it('detects the newest checkpoint deleted once a signed head names it, and both nodes stop appending', async () => {
    // Exchanges until a later batch's stored head names the newest checkpoint (each batch names the newest it
    // finds), with no further checkpoint due: fewer than EVERY records past it, and no exchange after.
    let named: StoredCheckpoint | undefined;
    await eventually(
      async () => {
        await exchangesOn(b);
        const newest = (await stored()).pop();
        const head = await storedHead();
        const seq = Number(head.seq);
        named =
          newest !== undefined && head.checkpoint === newest.seq && seq > newest.seq && seq < newest.seq + EVERY
            ? newest
            : undefined;
        return named !== undefined;
      },
      'a later signed head naming the newest checkpoint',
      20_000,
    );
    const newest = named as StoredCheckpoint;
    await asOperator('DELETE FROM audit_checkpoint WHERE seq = $1', [newest.seq]);
    try {
      const run = verify();
      expect(run.stderr).toMatch(
        new RegExp(
          `BROKEN at seq ${newest.seq}: a signed checkpoint is missing: the signed head \\(seq \\d+\\) names it`,
        ),
      );
      expect(run.status).toBe(1);
      for (const node of [a, b]) {
        const refused = await exchange(node);
        expect(refused.status).toBe(503);
        expect(refused.body).toMatchObject({ code: 'audit-unavailable' });
      }
    } finally {
      await restore(newest);
    }
    // The evidence back, appends resume on both.
    await exchangesOn(a, b);
    expect(verify().status).toBe(0);
  }, 90_000);
});
