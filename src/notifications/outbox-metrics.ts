import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Metrics } from '../platform/metrics/metrics';
import { NotificationRepository, type OutboxBacklog } from './notification.repository';

/** One read serves every gauge of a scrape. */
const READ_REUSE_MS = 1_000;

/**
 * The outbox backlog, read from the database when /metrics is scraped (two
 * counts on partial indexes). If the database cannot answer, the gauges read
 * NaN rather than a stale figure.
 */
@Injectable()
export class OutboxMetrics {
  private last: { at: number; read: Promise<OutboxBacklog | undefined> } | undefined;

  constructor(
    private readonly repository: NotificationRepository,
    metrics: Metrics,
  ) {
    const backlog: Gauge<'stage'> = new Gauge({
      name: 'passerelle_outbox_backlog',
      help: 'Outbox events not yet dispatched (undispatched) and notification deliveries not yet made (undelivered)',
      labelNames: ['stage'] as const,
      registers: [metrics.registry],
      collect: async () => {
        const read = await this.read();
        backlog.set({ stage: 'undispatched' }, read?.undispatched ?? Number.NaN);
        backlog.set({ stage: 'undelivered' }, read?.undelivered ?? Number.NaN);
      },
    });
    const age: Gauge = new Gauge({
      name: 'passerelle_outbox_oldest_age_seconds',
      help: 'Age of the oldest event still waiting to be dispatched or delivered (0 when none waits)',
      registers: [metrics.registry],
      collect: async () => age.set((await this.read())?.oldestSeconds ?? Number.NaN),
    });
  }

  private read(): Promise<OutboxBacklog | undefined> {
    const now = Date.now();
    if (this.last === undefined || now - this.last.at > READ_REUSE_MS) {
      this.last = { at: now, read: this.repository.backlog().catch(() => undefined) };
    }
    return this.last.read;
  }
}
