/**
 * Passerelle as a cluster: three gateway processes on one PostgreSQL behind a
 * TCP load balancer that passes TLS through, so each node ends mutual TLS
 * itself and sees the agencies' client certificates. A decision taken through
 * one node (a revocation, a suspension) holds on every node from the next
 * request; a node killed mid-load costs only its own in-flight exchanges; and
 * the audit log stays one gapless, verifiable chain.
 */
import { Client } from 'pg';
import { agencyConnection, call } from './support/agency-client';
import { grantedConsentId } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import {
  allowedExchanges,
  caller,
  chainExtent,
  cli,
  exchangeOnce,
  gatherEvidence,
  outcomesByCorrelation,
  restartNode,
  startCluster,
  startLoad,
  type Attempt,
  type Caller,
  type Cluster,
  type Load,
} from './support/cluster';
import { testEnv } from './setup/test-env';
import { stopGateway } from './support/gateway-process';
import { RoundRobinProxy } from './support/tcp-proxy';
import { eventually } from './support/test-gateway';

const NODES = 3;
/** Conditions a loaded two-core machine reaches in seconds are given this long. */
const PATIENCE_MS = 30_000;
const ADDRESS = { product: 'saaq.adresse', version: 1, purpose: 'mess.aide-sociale' };
const INQUIRY = { product: 'saaq.adresse', version: 1, purpose: 'retraite-qc.enquete', caseRef: 'RRQ-2026-0042' };

/** mess asking for a citizen's address, as its sector names the citizen. */
const messAsking = (citizen: string): Caller => caller('mess', { ...ADDRESS, citizen: citizenIdOf('mess', citizen) });

/** How many attempts each node answered with `status`, by node index. */
function servedBy(attempts: Attempt[], status = 200): number[] {
  const counts = Array.from({ length: NODES }, () => 0);
  for (const a of attempts) if (a.status === status && a.node !== undefined) counts[a.node]++;
  return counts;
}

/** What went wrong, for a failed expectation: the answers other than those expected, counted. */
function tally(attempts: Attempt[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of attempts) {
    const key = `${a.node ?? '?'}:${a.status}:${a.code ?? a.error ?? ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('Three gateway nodes on one PostgreSQL behind a TLS-passthrough load balancer', () => {
  let cluster: Cluster;
  let proxy: RoundRobinProxy;

  const node = (i: number): Cluster['nodes'][number] => cluster.nodes[i];
  const publicUrl = (i: number): string => `http://127.0.0.1:${node(i).gateway.publicPort}`;
  /** Through the load balancer, on a new connection: the node is the one the proxy chose. */
  const through = (who: Caller): Promise<Attempt> => exchangeOnce(proxy.port, who, (port) => proxy.backendOf(port));
  /** Straight to node `i`, on a new connection. */
  const direct = (i: number, who: Caller): Promise<Attempt> => exchangeOnce(node(i).gateway.agencyPort, who, () => i);
  /** The citizen grants mess their address for social assistance, through node `i`'s citizen API. */
  const grantThrough = (i: number, citizen: string): Promise<string> =>
    grantedConsentId(publicUrl(i), citizen, {
      requester: 'mess',
      purpose: ADDRESS.purpose,
      products: [ADDRESS.product],
    });
  const revokeThrough = async (i: number, citizen: string, consentId: string): Promise<number> => {
    const response = await fetch(`${publicUrl(i)}/v1/me/consents/${consentId}/revoke`, {
      method: 'POST',
      headers: bearer(await citizenToken(citizen)),
    });
    return response.status;
  };
  /** Runs `load` until `condition` holds of its attempts. */
  const loadUntil = async (load: Load, condition: (attempts: Attempt[]) => boolean, what: string): Promise<void> => {
    try {
      await eventually(() => condition(load.attempts), what, PATIENCE_MS);
    } catch (error) {
      throw new Error(`${(error as Error).message}; answers so far: ${JSON.stringify(tally(load.attempts))}`);
    }
  };

  beforeAll(async () => {
    cluster = await startCluster(NODES);
    proxy = new RoundRobinProxy(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.gateway.agencyPort })));
    await proxy.start();
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await Promise.all((cluster?.nodes ?? []).map((n) => stopGateway(n.gateway)));
  }, 60_000);

  it('started together on an empty database: the schema was migrated once, and every node is ready', async () => {
    const db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      // All started with the owner's login: a migration run twice would have stopped a node, or left two rows.
      const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations');
      const names = rows.map((r) => r.name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
    } finally {
      await db.end();
    }
    for (let i = 0; i < NODES; i++) expect((await fetch(`${publicUrl(i)}/health/ready`)).status).toBe(200);
  });

  it('spreads new connections over every node, and each node serves and audits its exchanges', async () => {
    await grantThrough(0, 'demo-citizen-1');
    const load = startLoad(() => through(messAsking('demo-citizen-1')), 3);
    try {
      await loadUntil(load, (attempts) => servedBy(attempts).every((n) => n >= 3), 'three 200s from every node');
    } finally {
      await load.stop();
    }

    expect(tally(load.attempts.filter((a) => a.status !== 200))).toEqual({});
    expect(proxy.connections.every((n) => n > 0)).toBe(true);
    for (let i = 0; i < NODES; i++) {
      const metrics = await (await fetch(`http://127.0.0.1:${node(i).gateway.metricsPort}/metrics`)).text();
      const allowed = metrics
        .split('\n')
        .filter((line) => line.startsWith('passerelle_exchanges_total{') && line.includes('decision="allow"'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      expect(allowed).toBe(servedBy(load.attempts)[i]);
    }
    const released = load.attempts.map((a) => a.exchangeId ?? '');
    expect(await allowedExchanges(cluster.databaseUrl, released)).toEqual(new Set(released));
  });

  it('refuses, on another node, the very next exchange after a revocation made through node A', async () => {
    const citizen = 'demo-citizen-2';
    const consentId = await grantThrough(0, citizen);
    expect((await direct(1, messAsking(citizen))).status).toBe(200);
    expect((await direct(2, messAsking(citizen))).status).toBe(200);

    expect(await revokeThrough(0, citizen, consentId)).toBe(200);
    const onB = await direct(1, messAsking(citizen));
    const onC = await direct(2, messAsking(citizen));

    expect([onB, onC].map((a) => [a.status, a.code])).toEqual([
      [403, 'consent-required'],
      [403, 'consent-required'],
    ]);
    const outcomes = await outcomesByCorrelation(cluster.databaseUrl, [
      onB.correlationId ?? '',
      onC.correlationId ?? '',
    ]);
    for (const refused of [onB, onC]) {
      expect(outcomes.get(refused.correlationId ?? '')?.map((o) => o.decision)).toEqual(['deny']);
    }
  });

  it('refuses a suspended organisation on every node from its next request, open connections included', async () => {
    const inquiry = caller('retraite-qc', { ...INQUIRY, citizen: citizenIdOf('retraite-qc', 'demo-citizen-5') });
    // A kept-alive connection to each node, open before the suspension: the next request on it is re-checked.
    const connections = cluster.nodes.map((n) =>
      agencyConnection(`https://localhost:${n.gateway.agencyPort}`, testEnv('certsDir'), 'retraite-qc'),
    );
    const ask = (i: number): Promise<{ status: number; code?: string }> =>
      call(connections[i], `https://localhost:${node(i).gateway.agencyPort}/v1/exchanges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: inquiry.body,
      }).then((r) => ({ status: r.status, code: (r.body as { code?: string } | undefined)?.code }));
    try {
      for (let i = 0; i < NODES; i++) expect((await ask(i)).status).toBe(200);

      const suspended = cli(cluster, ['org', 'suspend', 'retraite-qc']);
      expect({ status: suspended.status, stderr: suspended.stderr }).toEqual({ status: 0, stderr: '' });

      for (let i = 0; i < NODES; i++) {
        expect(await ask(i)).toEqual({ status: 403, code: 'client-suspended' });
        expect([(await direct(i, inquiry)).status, (await through(inquiry)).status]).toEqual([403, 403]);
      }

      const activated = cli(cluster, ['org', 'activate', 'retraite-qc']);
      expect(activated.status).toBe(0);
      for (let i = 0; i < NODES; i++) expect((await ask(i)).status).toBe(200);
    } finally {
      await Promise.all(connections.map((c) => c.close()));
    }
  });

  it('under load, refuses on every node each exchange started after the revocation returned', async () => {
    const citizen = 'demo-citizen-3';
    const consentId = await grantThrough(0, citizen);
    const load = startLoad(() => through(messAsking(citizen)), 6);
    let revokedAt = 0;
    try {
      await loadUntil(load, (attempts) => servedBy(attempts).every((n) => n >= 2), 'two 200s from every node');
      expect(await revokeThrough(0, citizen, consentId)).toBe(200);
      revokedAt = Date.now();
      const refusedAfter = (attempts: Attempt[]): number[] =>
        servedBy(
          attempts.filter((a) => a.startedAt > revokedAt),
          403,
        );
      await loadUntil(
        load,
        (attempts) => refusedAfter(attempts).every((n) => n >= 3),
        'three refusals from every node after the revocation',
      );
    } finally {
      await load.stop();
    }

    const after = load.attempts.filter((a) => a.startedAt > revokedAt);
    expect(tally(after.filter((a) => a.status !== 403 || a.code !== 'consent-required'))).toEqual({});
    // The audit log says the same: each of them has its outcome, a denial, and none was allowed.
    const outcomes = await outcomesByCorrelation(
      cluster.databaseUrl,
      after.map((a) => a.correlationId ?? ''),
    );
    const notDenied = after.filter(
      (a) =>
        outcomes
          .get(a.correlationId ?? '')
          ?.map((o) => o.decision)
          .join() !== 'deny',
    );
    expect(notDenied).toEqual([]);
    // And every exchange answered 200 before it has its allow record.
    const released = load.attempts.filter((a) => a.status === 200).map((a) => a.exchangeId ?? '');
    expect(released.length).toBeGreaterThan(0);
    expect(await allowedExchanges(cluster.databaseUrl, released)).toEqual(new Set(released));
  });

  it('keeps serving through the survivors when a node is killed mid-load, and releases nothing unaudited', async () => {
    const citizen = 'demo-citizen-4';
    await grantThrough(0, citizen);
    const victim = NODES - 1;
    const load = startLoad(() => through(messAsking(citizen)), 6);
    let killedAt = 0;
    try {
      await loadUntil(load, (attempts) => servedBy(attempts).every((n) => n >= 2), 'two 200s from every node');
      const { child } = node(victim).gateway;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      killedAt = Date.now();
      await exited;
      // The load goes on: the balancer drops the dead node and both survivors keep answering 200.
      await loadUntil(
        load,
        (attempts) => {
          const served = servedBy(attempts.filter((a) => a.startedAt > killedAt));
          return served.every((n, i) => i === victim || n >= 5) && !proxy.isLive(victim);
        },
        'the dead node dropped and five 200s from each survivor after the kill',
      );
    } finally {
      await load.stop();
    }

    const afterKill = load.attempts.filter((a) => a.startedAt > killedAt);
    expect(servedBy(afterKill)[victim]).toBe(0);
    // A request may die with the node it was on (no answer at all); no survivor fails one.
    expect(tally(load.attempts.filter((a) => a.status !== 200 && !(a.status === 0 && a.node === victim)))).toEqual({});
    // Every 200 the agencies received, from any node, the killed one included, has its outcome record.
    const released = load.attempts.filter((a) => a.status === 200).map((a) => a.exchangeId ?? '');
    const audited = await allowedExchanges(cluster.databaseUrl, released);
    expect(released.filter((id) => !audited.has(id))).toEqual([]);
  });

  it('takes nodes back on their own checkpoint folders: the killed one, and one stopped cleanly', async () => {
    // A rolling restart stops a node with SIGTERM: its last signed head says "stopped" while the others append on.
    await stopGateway(node(1).gateway);
    expect((await through(messAsking('demo-citizen-4'))).status).toBe(200);
    await Promise.all([restartNode(cluster, 1), restartNode(cluster, NODES - 1)]);

    for (const i of [1, NODES - 1]) {
      let readiness = '';
      await eventually(
        async () => {
          const response = await fetch(`${publicUrl(i)}/health/ready`);
          readiness = `${response.status} ${await response.text()}`;
          return response.status === 200;
        },
        `node ${node(i).name} to be ready again`,
        PATIENCE_MS,
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${readiness}`);
      });
      const served = await direct(i, messAsking('demo-citizen-4'));
      expect([node(i).name, served.status, served.code]).toEqual([node(i).name, 200, undefined]);
      expect(await allowedExchanges(cluster.databaseUrl, [served.exchangeId ?? ''])).toEqual(
        new Set([served.exchangeId]),
      );
    }
  });

  it('leaves one gapless audit chain that audit verify passes, with the evidence of every node', async () => {
    // Stopped cleanly, every node signs its last head.
    await Promise.all(cluster.nodes.map((n) => stopGateway(n.gateway)));
    const extent = await chainExtent(cluster.databaseUrl);
    expect(extent.count).toBeGreaterThan(0);
    expect([extent.first, extent.last]).toEqual([1, extent.count]);

    // Every node's checkpoints and the head signed last, whether the nodes keep them in folders or in the database.
    const evidence = await gatherEvidence(cluster);
    const verified = cli(cluster, ['audit', 'verify', '--jwks', evidence.jwks, '--checkpoints', evidence.dir]);
    expect({ status: verified.status, stderr: verified.stderr }).toEqual({ status: 0, stderr: '' });
    expect(verified.stdout).toContain(`audit log OK: head seq ${extent.last}`);
  });
});
