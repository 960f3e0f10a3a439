import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Client, type Notification } from 'pg';
import { Gauge } from 'prom-client';
import { Sql, type PreparedStatement, type SqlTransaction } from '../database/sql';
import { Readiness } from '../health/readiness';
import { Metrics } from '../metrics/metrics';
import { reconnectDelay } from './backoff';
import { CLUSTER_CHANNEL, encodeNotice, parseNotice, type ClusterNotice } from './notice';

export const CLUSTER_OPTIONS = Symbol('CLUSTER_OPTIONS');

export interface ClusterOptions {
  /** The application's login: the bus listens on a connection of its own, outside the pool. */
  databaseUrl: string;
  /** How often the node says it is alive, and how often the listening connection is checked. */
  heartbeatMs: number;
}

/** A notice is sent by the sending transaction's commit, and not at all if it rolls back. */
export const NOTIFY: PreparedStatement = { name: 'cluster_notify', text: 'SELECT pg_notify($1, $2)' };

export type NoticeHandler = (payload: unknown, notice: ClusterNotice) => void | Promise<void>;

/** The readiness check raised while this node cannot hear the others. */
export const BUS_READINESS_CHECK = 'cluster-bus';
const DISCONNECTED =
  'The cluster bus is disconnected: this node cannot be told to reload its contracts or its CRL, so it takes no traffic';
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * Node-to-node notices over PostgreSQL: one connection per node, outside the
 * pool, LISTENs on the cluster channel; `publish` NOTIFYs through the pool
 * or inside the caller's transaction, so a notice about a change goes out
 * when, and only if, the change commits. Every node hears its own notices
 * too, so a notice means the same on the node that sent it.
 *
 * A notice sent while a node is not listening is lost to it. So while the
 * connection is down the node is not ready (the load balancer stops sending
 * it traffic it could serve from a stale CRL or stale contracts), and when it
 * comes back the resync handlers run: each reloads what a lost notice could
 * have asked it to. The connection is pinged every heartbeat, so a silent
 * loss (a dropped route, a server failover) is found within one.
 */
@Injectable()
export class ClusterBus implements OnApplicationBootstrap, OnApplicationShutdown {
  /** This process's identity in the cluster: a new one each start. */
  readonly nodeId = randomUUID();
  private client: Client | undefined;
  private readonly handlers = new Map<string, Set<NoticeHandler>>();
  private readonly resyncHandlers: (() => void | Promise<void>)[] = [];
  private attempt = 0;
  /** A notice may have been missed since the last connection: reconnecting must resync. */
  private gap = false;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CLUSTER_OPTIONS) private readonly options: ClusterOptions,
    private readonly sql: Sql,
    private readonly readiness: Readiness,
    metrics: Metrics,
    @InjectPinoLogger('cluster') private readonly logger: PinoLogger,
  ) {
    const connected: Gauge = new Gauge({
      name: 'passerelle_cluster_bus_connected',
      help: 'Whether this node listens on the cluster bus (1) or has lost it and takes no traffic (0)',
      registers: [metrics.registry],
      collect: () => connected.set(this.client === undefined ? 0 : 1),
    });
  }

  get isConnected(): boolean {
    return this.client !== undefined;
  }

  /** Calls `handler` for every notice of `topic`, from any node; returns the way to stop. */
  subscribe(topic: string, handler: NoticeHandler): () => void {
    let set = this.handlers.get(topic);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Called after the bus comes back from a loss, when notices may have been missed. */
  onResync(handler: () => void | Promise<void>): void {
    this.resyncHandlers.push(handler);
  }

  /**
   * Sends a notice to every node, this one included. Inside `tx` it is queued
   * with the transaction and sent at its commit; PostgreSQL drops it on rollback.
   */
  async publish(topic: string, payload: unknown, tx?: SqlTransaction): Promise<void> {
    const text = encodeNotice({ topic, from: this.nodeId, payload });
    if (tx === undefined) await this.sql.query(NOTIFY, [CLUSTER_CHANNEL, text]);
    else await tx.query(NOTIFY, [CLUSTER_CHANNEL, text]);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.raise(BUS_READINESS_CHECK, DISCONNECTED);
    await this.attemptConnection();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await endWithin(client, 1_000);
  }

  private async attemptConnection(): Promise<void> {
    if (this.stopped) return;
    let client: Client;
    try {
      client = await this.listen();
    } catch (error) {
      if (this.attempt === 0) {
        this.logger.warn({ err: error }, 'cannot listen on the cluster bus; retrying');
      }
      this.gap = true;
      this.retry();
      return;
    }
    if (this.stopped) {
      await endWithin(client, 1_000);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.readiness.clear(BUS_READINESS_CHECK);
    this.pingTimer = setInterval(() => void this.ping(client), this.options.heartbeatMs);
    this.pingTimer.unref();
    if (this.gap) {
      this.gap = false;
      this.logger.info('cluster bus connected again: reloading what a missed notice could have changed');
      for (const handler of this.resyncHandlers) void this.run('resync', handler);
    }
  }

  private async listen(): Promise<Client> {
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: 'passerelle-cluster-bus',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A ping that hangs this long means the connection is gone, whatever TCP says.
      query_timeout: Math.max(1_000, this.options.heartbeatMs),
      keepAlive: true,
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    client.on('notification', (message) => this.deliver(message));
    try {
      await client.connect();
      await client.query(`LISTEN ${CLUSTER_CHANNEL}`);
    } catch (error) {
      await endWithin(client, 500);
      throw error;
    }
    return client;
  }

  private retry(): void {
    if (this.stopped) return;
    this.reconnectTimer = setTimeout(() => void this.attemptConnection(), reconnectDelay(this.attempt++));
    this.reconnectTimer.unref();
  }

  private lost(client: Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.pingTimer);
    this.gap = true;
    void endWithin(client, 500);
    if (this.stopped) return;
    this.readiness.raise(BUS_READINESS_CHECK, DISCONNECTED);
    this.logger.warn({ err: error }, 'cluster bus disconnected: not ready until it is back');
    this.retry();
  }

  private async ping(client: Client): Promise<void> {
    try {
      await client.query('SELECT 1');
    } catch (error) {
      this.lost(client, error);
    }
  }

  private deliver(message: Notification): void {
    if (message.channel !== CLUSTER_CHANNEL || message.payload === undefined) return;
    const notice = parseNotice(message.payload);
    if (notice === undefined) {
      this.logger.warn({ processId: message.processId }, 'ignored a cluster notice that is not one');
      return;
    }
    for (const handler of this.handlers.get(notice.topic) ?? []) {
      void this.run(notice.topic, () => handler(notice.payload, notice));
    }
  }

  private async run(what: string, work: () => void | Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.error({ err: error, topic: what }, 'a cluster notice handler failed');
    }
  }
}

/** Ends a client, without waiting for ever on a connection that is already dead. */
async function endWithin(client: Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
