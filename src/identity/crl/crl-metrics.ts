import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Metrics } from '../../platform/metrics/metrics';
import { CrlStore } from './crl-store';

/**
 * The CRL alarm, read when the metrics are scraped: 1 while the CRL in force is
 * past its nextUpdate. It stays in force (its revocations keep being refused),
 * but OpenSSL then fails every agency handshake, so an operator must be paged.
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
  }
}
