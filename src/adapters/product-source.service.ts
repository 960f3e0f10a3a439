import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CircuitState, type CircuitBreakerPolicy } from 'cockatiel';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Catalogue, type ProductContract } from '../contracts/catalogue';
import { applyMapping } from '../contracts/mapping';
import type { SourcesConfig } from '../platform/config/config';
import { DomainError } from '../platform/errors/domain-error';
import { Metrics } from '../platform/metrics/metrics';
import { createAdapter } from './adapter-factory';
import { CitizenLinkRepository } from './citizen-link.repository';
import { ResilientSource, SourceOpenCircuitError, sourceBreaker } from './resilient-source';
import { SourceError } from './source-adapter';

export const SOURCES_CONFIG = Symbol('SOURCES_CONFIG');

const BREAKER_STATE_NAMES: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const productKey = (contract: ProductContract): string => `${contract.product}@${contract.version}`;

/**
 * Step 5 and the first half of step 6 of the brokered path: translate the
 * pivot id, fetch through the product's adapter, map the legacy shape, and
 * hold the answer to the product's JSON Schema. Nothing from a source's
 * answer reaches a caller or a log unless it passed the schema.
 */
@Injectable()
export class ProductSourceService implements OnApplicationShutdown {
  private readonly sources = new Map<string, ResilientSource>();
  private readonly duration: Histogram<'source' | 'outcome'>;
  private readonly failures: Counter<'source' | 'failure'>;

  constructor(
    catalogue: Catalogue,
    @Inject(SOURCES_CONFIG) config: SourcesConfig,
    private readonly links: CitizenLinkRepository,
    metrics: Metrics,
    @InjectPinoLogger('adapters') private readonly logger: PinoLogger,
  ) {
    const limits = { maxResponseBytes: config.maxResponseBytes, maxJsonDepth: 32 };
    const missing = new Set<string>();
    // One breaker per source endpoint, shared by the products it serves.
    const breakers = new Map<string, CircuitBreakerPolicy>();
    for (const contract of catalogue.contracts) {
      const url = config.endpoints[contract.source.endpoint];
      if (url === undefined) {
        missing.add(contract.source.endpoint);
        continue;
      }
      const adapter = createAdapter(contract.source, url, limits);
      const resilience = {
        deadlineMs: contract.source.deadlineMs ?? config.deadlineMs,
        breakerFailures: config.breakerFailures,
        halfOpenAfterMs: config.breakerHalfOpenMs,
      };
      let breaker = breakers.get(contract.source.endpoint);
      if (breaker === undefined) {
        breaker = sourceBreaker(resilience);
        breakers.set(contract.source.endpoint, breaker);
      }
      this.sources.set(
        productKey(contract),
        new ResilientSource(contract.source.endpoint, adapter, resilience, breaker),
      );
    }
    if (missing.size > 0) {
      throw new Error(
        `SOURCE_ENDPOINTS: no address for source endpoint(s) ${[...missing].join(', ')} named by the contracts`,
      );
    }
    this.duration = new Histogram({
      name: 'passerelle_source_fetch_duration_seconds',
      help: 'Source fetch duration by source endpoint and outcome',
      labelNames: ['source', 'outcome'] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 3, 10],
      registers: [metrics.registry],
    });
    this.failures = new Counter({
      name: 'passerelle_source_failures_total',
      help: 'Source failures by source endpoint and kind',
      labelNames: ['source', 'failure'] as const,
      registers: [metrics.registry],
    });
    const breakerState: Gauge<'source' | 'state'> = new Gauge({
      name: 'passerelle_source_breaker_state',
      help: "1 for the current state of each source endpoint's circuit breaker, 0 for the others",
      labelNames: ['source', 'state'] as const,
      registers: [metrics.registry],
      collect: () => {
        for (const [source, current] of Object.entries(this.breakerStates())) {
          for (const state of Object.values(BREAKER_STATE_NAMES))
            breakerState.set({ source, state }, +(state === current));
        }
      },
    });
  }

  /** Fetches, maps and validates `contract`'s data for one citizen. Throws DomainErrors only. */
  async fetchProduct(
    contract: ProductContract,
    pivotId: string,
    correlationId: string,
  ): Promise<Record<string, unknown>> {
    const source = this.sources.get(productKey(contract));
    if (source === undefined) throw new DomainError('product-not-found');
    const localId = await this.links.findLocalId(pivotId, contract.owner);
    if (localId === undefined) throw new DomainError('source-record-not-found');

    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      const record = await source.fetch(localId, correlationId);
      if (record === null) {
        outcome = 'not-found';
        throw new DomainError('source-record-not-found');
      }
      const data = applyMapping(record, contract.source.mapping);
      if (!contract.validate(data)) {
        outcome = 'contract-violation';
        // Where the answer broke the schema, never what it said.
        const violations = (contract.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.keyword}`);
        this.logger.warn(
          { event: 'source-contract-violation', source: source.endpoint, product: contract.product, violations },
          'source answer failed the product schema',
        );
        throw new DomainError('source-contract-violation');
      }
      return data;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const mapped = this.toDomainError(error, source);
      outcome = mapped.code;
      throw mapped;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.duration.observe({ source: source.endpoint, outcome }, seconds);
    }
  }

  private toDomainError(error: unknown, source: ResilientSource): DomainError {
    if (error instanceof SourceOpenCircuitError) {
      this.failures.inc({ source: source.endpoint, failure: 'circuit-open' });
      return new DomainError('source-unavailable', undefined, { retryAfterSeconds: error.retryAfterSeconds });
    }
    if (!(error instanceof SourceError)) throw error;
    this.failures.inc({ source: source.endpoint, failure: error.failure });
    this.logger.warn(
      { event: 'source-failure', source: source.endpoint, failure: error.failure, reason: error.reason },
      'source fetch failed',
    );
    switch (error.failure) {
      case 'timeout':
        return new DomainError('source-timeout');
      case 'unavailable':
        return new DomainError('source-unavailable', undefined, { retryAfterSeconds: 1 });
      case 'bad-response':
        return new DomainError('source-error');
    }
  }

  /** The breaker state per source endpoint, for health and metrics. */
  breakerStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const source of this.sources.values()) states[source.endpoint] = BREAKER_STATE_NAMES[source.state];
    return states;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.sources.values()].map((source) => source.close()));
  }
}
