import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Metrics } from '../../platform/metrics/metrics';
import { CrlStore } from './crl-store';

/**
 * The CRL alarm, read when the metrics are scraped: 1 while the CRL in force is
 * past its nextUpdate. It stays in force (its revocations keep being refused),
 * but OpenSSL then fails every agency handshake, so an operator must be paged.
 * Beside it: whether its source answers, every reload's outcome, and the
 * number of the CRL in force (the same on every node once a reload reached
 * them all).
 */
@Injectable()
export class CrlMetrics {
  constructor(@Inject(CrlStore) crl: CrlStore, metrics: Metrics) {
    const expired: Gauge = new Gauge({
      name: 'passerelle_crl_expired',
      help: 'The agency CA CRL in force is past its nextUpdate (1) or current (0)',
      registers: [metrics.registry],
      collect: () => expired.set(crl.isExpired() ? 1 : 0),
    });
    const sourceUp: Gauge = new Gauge({
      name: 'passerelle_crl_source_up',
      help: "Whether the last read of the CRL's location worked (1) or failed, the CRL in force staying (0)",
      registers: [metrics.registry],
      collect: () => sourceUp.set(crl.sourceUp ? 1 : 0),
    });
    const number: Gauge = new Gauge({
      name: 'passerelle_crl_number',
      help: 'The cRLNumber of the CRL in force (-1 when it has none)',
      registers: [metrics.registry],
      collect: () => number.set(crl.number === undefined ? -1 : Number(crl.number)),
    });
    const reloads = new Counter({
      name: 'passerelle_crl_reloads_total',
      help: 'CRL reloads that changed something or failed: reloaded, rejected (not newer), failed (unreadable)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    crl.on('reloaded', () => reloads.inc({ outcome: 'reloaded' }));
    crl.on('rejected', () => reloads.inc({ outcome: 'rejected' }));
    crl.on('failed', () => reloads.inc({ outcome: 'failed' }));
  }
}
