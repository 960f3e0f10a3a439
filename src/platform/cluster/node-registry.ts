import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Gauge } from 'prom-client';
import { Sql, type PreparedStatement } from '../database/sql';
import { Metrics } from '../metrics/metrics';
import { CLUSTER_OPTIONS, ClusterBus, type ClusterOptions } from './cluster-bus';

/** A node is live while it was seen within this many heartbeats: one late beat does not drop it. */
export const LIVE_HEARTBEATS = 3;
/** Sent when a node joins or leaves, so that the others count again at once rather than at their next beat. */
export const NODES_TOPIC = 'cluster.nodes';

export interface LivenessWindows {
  /** Seen within this many seconds: live. */
  liveSeconds: number;
  /** Not seen for this many seconds: a node that died without leaving; its row is removed. */
  pruneSeconds: number;
}

/** The windows for a heartbeat period. The same on every node, since every node reads them off the same setting. */
export function livenessWindows(heartbeatMs: number): LivenessWindows {
  const liveSeconds = (LIVE_HEARTBEATS * heartbeatMs) / 1000;
  return { liveSeconds, pruneSeconds: Math.max(60, 10 * liveSeconds) };
}

/**
 * One round trip per beat: this node is seen now (inserted again if a prune
 * took it while it was paused), rows long dead are removed, and the other
 * live nodes are counted. Times are the database's, so node clocks do not
 * matter. The count reads the snapshot before the upsert, which is why this
 * node is counted apart, always.
 */
const HEARTBEAT: PreparedStatement = {
  name: 'cluster_heartbeat',
  text: `WITH beat AS (
           INSERT INTO gateway_node (id, host) VALUES ($1, $2)
           ON CONFLICT (id) DO UPDATE SET last_seen = now(), host = EXCLUDED.host
         ), gone AS (
           DELETE FROM gateway_node
            WHERE id <> $1 AND last_seen < now() - make_interval(secs => $4::double precision)
         )
         SELECT count(*)::int AS others FROM gateway_node
          WHERE id <> $1 AND last_seen >= now() - make_interval(secs => $3::double precision)`,
};

const LEAVE: PreparedStatement = { name: 'cluster_leave', text: 'DELETE FROM gateway_node WHERE id = $1' };

/** The nodes seen lately, for the admin CLI. */
export const LIVE_NODES_SQL = `SELECT id, host, started_at, extract(epoch FROM now() - last_seen)::float8 AS seen_seconds_ago
  FROM gateway_node WHERE last_seen >= now() - make_interval(secs => $1::double precision) ORDER BY started_at, id`;

/**
 * The registry of gateway nodes (`gateway_node`): each node beats every
 * heartbeat and counts the live ones. The count divides each organisation's
 * rate limit among the nodes (see Admission), so it errs on the safe side:
 * a node that joins says so on the bus at once; a node that dies without
 * leaving is counted for up to LIVE_HEARTBEATS more, during which the others
 * admit less than the limit, never more.
 */
@Injectable()
export class NodeRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly host = hostname();
  private live = 1;
  private state: 'new' | 'joined' | 'left' = 'new';
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private again = false;
  private failing = false;
  private readonly windows: LivenessWindows;
  private readonly listeners: ((liveNodes: number) => void)[] = [];

  constructor(
    @Inject(CLUSTER_OPTIONS) private readonly options: ClusterOptions,
    private readonly sql: Sql,
    private readonly bus: ClusterBus,
    metrics: Metrics,
    @InjectPinoLogger('cluster') private readonly logger: PinoLogger,
  ) {
    this.windows = livenessWindows(options.heartbeatMs);
    const live: Gauge = new Gauge({
      name: 'passerelle_cluster_live_nodes',
      help: 'Gateway nodes seen in the last heartbeats, this one included; rate limits are divided by it',
      registers: [metrics.registry],
      collect: () => live.set(this.live),
    });
    bus.subscribe(NODES_TOPIC, (_, notice) => {
      if (notice.from !== bus.nodeId) void this.beat();
    });
  }

  get nodeId(): string {
    return this.bus.nodeId;
  }

  /** This node and the others seen within the live window. */
  get liveNodes(): number {
    return this.live;
  }

  /** Told the count now, and each time it changes. */
  onLiveNodes(listener: (liveNodes: number) => void): void {
    this.listeners.push(listener);
    listener(this.live);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.join();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Registers this node, tells the others, and beats from then on. */
  async join(): Promise<void> {
    if (this.state !== 'new') return;
    await this.beat();
    this.state = 'joined';
    await this.announce('joined');
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** Removes this node, at a clean shutdown, so that the others take over its share without waiting. */
  async leave(): Promise<void> {
    if (this.state !== 'joined') return;
    this.state = 'left';
    clearInterval(this.timer);
    await this.beating;
    try {
      await this.sql.query(LEAVE, [this.nodeId]);
      await this.announce('left');
    } catch (error) {
      this.logger.warn({ err: error }, 'could not leave the node registry: the others will stop counting this node');
    }
  }

  /** One beat at a time; a beat asked for during one runs right after it. */
  private beat(): Promise<void> {
    if (this.beating !== undefined) {
      this.again = true;
      return this.beating;
    }
    this.beating = (async () => {
      do {
        this.again = false;
        await this.beatOnce();
      } while (this.again);
    })().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    if (this.state === 'left') return;
    try {
      const [row] = await this.sql.query<{ others: number }>(HEARTBEAT, [
        this.nodeId,
        this.host,
        this.windows.liveSeconds,
        this.windows.pruneSeconds,
      ]);
      if (this.failing) this.logger.info('cluster heartbeat recorded again');
      this.failing = false;
      this.setLive(1 + (row?.others ?? 0));
    } catch (error) {
      // The count in force stays: a node without the database serves nothing anyway.
      if (!this.failing) this.logger.warn({ err: error, liveNodes: this.live }, 'cluster heartbeat failed');
      this.failing = true;
    }
  }

  private setLive(count: number): void {
    if (count === this.live) return;
    this.logger.info({ liveNodes: count, was: this.live }, 'live gateway nodes changed');
    this.live = count;
    for (const listener of this.listeners) listener(count);
  }

  private async announce(change: 'joined' | 'left'): Promise<void> {
    try {
      await this.bus.publish(NODES_TOPIC, { change });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not announce this node on the cluster bus');
    }
  }
}
