import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { livenessWindows, LIVE_NODES_SQL } from '../platform/cluster/node-registry';
import { CLUSTER_CHANNEL, encodeNotice, parseNotice } from '../platform/cluster/notice';
import {
  parseReloadResult,
  RELOAD_RESULT_TOPIC,
  type ReloadResult,
  type ReloadTarget,
  reloadTopic,
} from '../platform/cluster/reload-protocol';
import type { AppConfig } from '../platform/config/config';
import { withDatabase } from './database';

/** Longer than a reload takes on a loaded node, short enough for an operator to wait. */
const ANSWER_TIMEOUT_MS = 15_000;

interface NodeRow {
  id: string;
  host: string;
  started_at: Date;
  seen_seconds_ago: number;
}

/** What a reload asked of the cluster gave: one line per node, and whether every node reloaded. */
export interface ClusterReload {
  text: string;
  ok: boolean;
}

const short = (id: string): string => id.slice(0, 8);

async function liveNodes(client: PoolClient, config: AppConfig): Promise<NodeRow[]> {
  const { liveSeconds } = livenessWindows(config.cluster.heartbeatMs);
  return (await client.query<NodeRow>(LIVE_NODES_SQL, [liveSeconds])).rows;
}

async function withListener<T>(config: AppConfig, work: (client: PoolClient) => Promise<T>): Promise<T> {
  // Read only: no migration; a reload needs to read the registry and to NOTIFY, which any login may.
  return withDatabase(
    config,
    async (dataSource: DataSource) => {
      const pool = (dataSource.driver as PostgresDriver).master as Pool;
      const client = await pool.connect();
      try {
        return await work(client);
      } finally {
        client.release();
      }
    },
    { readOnly: true },
  );
}

/**
 * Publishes `<target>.reload` on the cluster bus and waits for every live
 * node's answer: each reloads from its own configured location and says what
 * is in force now, or why it kept what it had.
 */
export async function reloadCluster(
  config: AppConfig,
  target: ReloadTarget,
  timeoutMs = ANSWER_TIMEOUT_MS,
  options: { noNodeIsOk?: boolean } = {},
): Promise<ClusterReload> {
  return withListener(config, async (client) => {
    const request = randomUUID();
    const answers = new Map<string, ReloadResult>();
    let wake: () => void = () => undefined;
    client.on('notification', (message) => {
      if (message.channel !== CLUSTER_CHANNEL || message.payload === undefined) return;
      const notice = parseNotice(message.payload);
      const result = notice?.topic === RELOAD_RESULT_TOPIC ? parseReloadResult(notice.payload) : undefined;
      if (result?.request !== request || result.target !== target) return;
      answers.set(result.node, result);
      wake();
    });
    await client.query(`LISTEN ${CLUSTER_CHANNEL}`);
    const nodes = await liveNodes(client, config);
    if (nodes.length === 0) {
      await client.query(`UNLISTEN ${CLUSTER_CHANNEL}`);
      return { text: `no gateway node is running: no ${target} reloaded`, ok: options.noNodeIsOk === true };
    }
    const notice = encodeNotice({ topic: reloadTopic(target), from: `cli:${process.pid}`, payload: { request } });
    await client.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, notice]);

    const deadline = Date.now() + timeoutMs;
    while (nodes.some((node) => !answers.has(node.id)) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await client.query(`UNLISTEN ${CLUSTER_CHANNEL}`);

    const lines: string[] = [];
    let ok = true;
    const known = new Set(nodes.map((node) => node.id));
    // A node that joined meanwhile may have answered too.
    const answered = [...answers.values()].filter((answer) => !known.has(answer.node));
    for (const node of [...nodes, ...answered.map((a) => ({ id: a.node, host: a.host }))]) {
      const answer = answers.get(node.id);
      if (answer === undefined) {
        ok = false;
        lines.push(`  node ${short(node.id)} on ${node.host}: no answer within ${timeoutMs / 1000} s`);
        continue;
      }
      if (answer.outcome !== 'reloaded' && answer.outcome !== 'unchanged') ok = false;
      lines.push(`  node ${short(node.id)} on ${answer.host}: ${answer.outcome} in ${answer.ms} ms: ${answer.detail}`);
    }
    const reloaded = [...answers.values()].filter((a) => a.outcome === 'reloaded' || a.outcome === 'unchanged');
    const head = `${target} reload: ${reloaded.length} of ${lines.length} node(s) reloaded (or had it already)`;
    return { text: [head, ...lines].join('\n'), ok };
  });
}

/** A live node, as `cluster nodes` shows it. */
export interface LiveNode {
  id: string;
  host: string;
  startedAt: string;
  seenSecondsAgo: number;
}

/** `cluster nodes`: who is live, by the registry. */
export async function clusterNodes(config: AppConfig): Promise<LiveNode[]> {
  return withListener(config, async (client) =>
    (await liveNodes(client, config)).map((node) => ({
      id: node.id,
      host: node.host,
      startedAt: node.started_at.toISOString(),
      seenSecondsAgo: node.seen_seconds_ago,
    })),
  );
}
