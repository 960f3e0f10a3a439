/**
 * The cluster bus and the node registry on one PostgreSQL: notices go out at
 * commit (never on rollback) to every node, a node that loses the bus is not
 * ready until it is back and then reloads what a missed notice could have
 * changed, and the registry counts the nodes. The gateway under test runs in
 * this process (so that its parts can be watched); the other listener is a
 * bus of its own on its own connection, and the other node a gateway process.
 */
import { randomUUID } from 'node:crypto';
import type { PinoLogger } from 'nestjs-pino';
import { Client, Pool } from 'pg';
import { ClusterBus } from '../src/platform/cluster/cluster-bus';
import { NodeRegistry } from '../src/platform/cluster/node-registry';
import { CLUSTER_CHANNEL } from '../src/platform/cluster/notice';
import { Sql, SqlPool } from '../src/platform/database/sql';
import { Readiness } from '../src/platform/health/readiness';
import { Metrics } from '../src/platform/metrics/metrics';
import { adminUrlOf } from './setup/test-env';
import { startNodes, stopNodes, type GatewayNode } from './support/gateway-nodes';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';

const TOPIC = 'test.ping';
const HEARTBEAT_MS = 200;

interface Ping {
  n: string;
}

/** What a bus hears on the test topic, in order. */
function heardOn(bus: ClusterBus): string[] {
  const heard: string[] = [];
  bus.subscribe(TOPIC, (payload) => {
    heard.push((payload as Ping).n);
  });
  return heard;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as PinoLogger;

/** A second listener on the bus, as another node has, outside any gateway. */
async function startListener(databaseUrl: string): Promise<{ bus: ClusterBus; readiness: Readiness; pool: Pool }> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const readiness = new Readiness();
  const sql = new SqlPool(pool);
  const bus = new ClusterBus({ databaseUrl, heartbeatMs: HEARTBEAT_MS }, sql, readiness, new Metrics(), quiet);
  await bus.onApplicationBootstrap();
  return { bus, readiness, pool };
}

async function asAdmin<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrlOf(databaseUrl) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('the cluster bus', () => {
  let a: TestGateway;
  let other: Awaited<ReturnType<typeof startListener>>;
  let nodes: GatewayNode[] = [];
  let onA: string[];
  let onB: string[];

  beforeAll(async () => {
    a = await startTestGateway({ env: { CLUSTER_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    other = await startListener(a.databaseUrl);
    onA = heardOn(a.gateway.app.get(ClusterBus));
    onB = heardOn(other.bus);
  });

  afterAll(async () => {
    await other.bus.stop();
    await other.pool.end();
    await stopNodes(nodes);
    await a.stop();
  });

  const bothHeard = (n: string): Promise<void> =>
    eventually(() => onA.includes(n) && onB.includes(n), `both nodes to hear "${n}"`);

  it('sends a notice published in a transaction at its commit, to every node, and never one rolled back', async () => {
    const bus = a.gateway.app.get(ClusterBus);
    const sql = a.gateway.app.get(Sql);

    await sql.transaction(async (tx) => {
      await bus.publish(TOPIC, { n: 'in the transaction' }, tx);
      // Sent after it but committed first: heard while the first still waits for its commit.
      await bus.publish(TOPIC, { n: 'outside' });
      await bothHeard('outside');
      expect([onA, onB].map((heard) => heard.includes('in the transaction'))).toEqual([false, false]);
    });
    await bothHeard('in the transaction');

    await expect(
      sql.transaction(async (tx) => {
        await bus.publish(TOPIC, { n: 'rolled back' }, tx);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    // Notices arrive in commit order: once this one is heard, the rolled-back one would have been.
    await bus.publish(TOPIC, { n: 'after the rollback' });
    await bothHeard('after the rollback');
    expect(onA).toEqual(['outside', 'in the transaction', 'after the rollback']);
    expect(onB).toEqual(onA);
  });

  it('delivers every notice, in order, and says how long a notice takes from one node to the other', async () => {
    const bus = a.gateway.app.get(ClusterBus);
    const times: number[] = [];
    const received: string[] = [];
    let arrived: (() => void) | undefined;
    other.bus.subscribe('test.latency', (payload) => {
      received.push((payload as Ping).n);
      arrived?.();
    });
    for (let i = 0; i < 200; i++) {
      const heard = new Promise<void>((resolve) => (arrived = resolve));
      const started = performance.now();
      await bus.publish('test.latency', { n: String(i) });
      await heard;
      times.push(performance.now() - started);
    }
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    times.sort((x, y) => x - y);
    process.stdout.write(
      `cluster bus, publish to delivery on the other node: median ${times[100].toFixed(2)} ms, ` +
        `p99 ${times[197].toFixed(2)} ms, max ${times[199].toFixed(2)} ms\n`,
    );
  });

  it('ignores what is not a notice', async () => {
    await asAdmin(a.databaseUrl, (client) => client.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, '{"t":1}']));
    await a.gateway.app.get(ClusterBus).publish(TOPIC, { n: 'still working' });
    await bothHeard('still working');
    expect(a.logs.some((line) => line.msg === 'ignored a cluster notice that is not one')).toBe(true);
  });

  it('takes a node out of the load balancer while it cannot hear the bus, and reloads what it may have missed', async () => {
    const raised: string[] = [];
    for (const readiness of [a.gateway.app.get(Readiness), other.readiness]) {
      const raise = readiness.raise.bind(readiness);
      jest.spyOn(readiness, 'raise').mockImplementation((check, reason) => {
        raised.push(check);
        raise(check, reason);
      });
    }
    const name = new URL(a.databaseUrl).pathname.slice(1);
    const terminated = await asAdmin(a.databaseUrl, async (client) => {
      const result = await client.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'passerelle-cluster-bus'`,
        [name],
      );
      await client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
        result.rows.map((row) => row.pid),
      ]);
      return result.rowCount;
    });
    expect(terminated).toBe(2);

    await eventually(() => raised.filter((check) => check === 'cluster-bus').length === 2, 'both not ready');
    await eventually(async () => (await fetch(`${a.publicUrl}/health/ready`)).status === 200, 'ready again');
    await eventually(() => other.bus.isConnected && other.readiness.raised.size === 0, 'the listener back');
    await eventually(
      () => a.logs.some((line) => line.msg === 'reloaded contracts and CRL after the cluster bus came back'),
      'the reloads after the bus came back',
    );
    await other.bus.publish(TOPIC, { n: 'after reconnecting' });
    await bothHeard('after reconnecting');
  });

  it('counts the live nodes, forgets one not seen for three heartbeats, and drops a node that leaves', async () => {
    const registry = a.gateway.app.get(NodeRegistry);
    expect(registry.liveNodes).toBe(1);
    nodes = await startNodes(1, a.databaseUrl, { CLUSTER_HEARTBEAT_MS: String(HEARTBEAT_MS) });
    await eventually(() => registry.liveNodes === 2, 'two live nodes');
    // A node that died without leaving: seen once, never again.
    await a.gateway.app.get(Sql).raw("INSERT INTO gateway_node (id, host) VALUES ($1, 'gone')", [randomUUID()]);
    await eventually(() => registry.liveNodes === 3, 'the third node counted');
    await eventually(() => registry.liveNodes === 2, 'the third node forgotten', 10 * HEARTBEAT_MS + 5_000);

    await stopNodes(nodes);
    await eventually(() => registry.liveNodes === 1, 'the node that left no longer counted');
    const rows = await a.gateway.app.get(Sql).raw<{ host: string }>('SELECT host FROM gateway_node', []);
    expect(rows.map((row) => row.host).filter((host) => host !== 'gone')).toHaveLength(1);
  });
});
