import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CircuitState, type CircuitBreakerPolicy } from 'cockatiel';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Catalogue, type ProductContract, type ReplacementStep } from '../contracts/catalogue';
import { applyMapping } from '../contracts/mapping';
import type { SourcesConfig } from '../platform/config/config';
import { DomainError } from '../platform/errors/domain-error';
import { Metrics } from '../platform/metrics/metrics';
import { createAdapter } from './adapter-factory';
import { CitizenLinkRepository } from './citizen-link.repository';
import { ResilientSource, SourceOpenCircuitError, sourceBreaker } from './resilient-source';
import { SourceError, type SourceLimits } from './source-adapter';
import { planSources, productKey, sourceFingerprint } from './source-plan';
import { currentContext } from '../platform/telemetry/spans';
import type { Context } from '@opentelemetry/api';

export const SOURCES_CONFIG = Symbol('SOURCES_CONFIG');

const BREAKER_STATE_NAMES: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

interface BuiltSource {
  source: ResilientSource;
  fingerprint: string;
}

/**
 * Step 5 and the first half of step 6 of the brokered path: translate the
 * pivot id, fetch through the product's adapter, map the legacy shape, and
 * hold the answer to the product's JSON Schema. Nothing from a source's
 * answer reaches a caller or a log unless it passed the schema.
 *
 * One adapter per catalogued product, built at boot and again when a
 * contracts reload changes a product's source (planSources): a reload that
 * names an endpoint without an address is refused before anything changes.
 * A replaced adapter is closed once the fetches it may still be serving are
 * past their deadline.
 */
@Injectable()
export class ProductSourceService implements OnApplicationShutdown {
  private sources = new Map<string, BuiltSource>();
  /** One breaker per source endpoint, shared by the products it serves, and kept across reloads. */
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly retiring = new Set<ResilientSource>();
  private readonly limits: SourceLimits;
  private readonly duration: Histogram<'source' | 'outcome'>;
  private readonly failures: Counter<'source' | 'failure'>;

  constructor(
    catalogue: Catalogue,
    @Inject(SOURCES_CONFIG) private readonly config: SourcesConfig,
    private readonly links: CitizenLinkRepository,
    metrics: Metrics,
    @InjectPinoLogger('adapters') private readonly logger: PinoLogger,
  ) {
    this.limits = { maxResponseBytes: config.maxResponseBytes, maxJsonDepth: 32 };
    const step = this.prepare(catalogue);
    step.commit();
    catalogue.onReplace((next) => this.prepare(next));
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

  /**
   * The adapters `catalogue` needs, built but not yet in force; throws when
   * it names an endpoint without an address (at boot, that stops the start).
   */
  private prepare(catalogue: Catalogue): ReplacementStep {
    const current = new Map([...this.sources].map(([key, built]) => [key, built.fingerprint]));
    const plan = planSources(current, catalogue.contracts, this.config.endpoints);
    if (plan.missingEndpoints.length > 0) {
      throw new Error(
        `SOURCE_ENDPOINTS: no address for source endpoint(s) ${plan.missingEndpoints.join(', ')} named by the contracts`,
      );
    }
    const built = new Map<string, BuiltSource>();
    try {
      for (const contract of plan.build) {
        const url = this.config.endpoints[contract.source.endpoint];
        built.set(productKey(contract), {
          source: this.buildSource(contract, url),
          fingerprint: sourceFingerprint(contract, url),
        });
      }
    } catch (error) {
      void closeAll([...built.values()].map(({ source }) => source));
      throw error;
    }
    return {
      commit: () => {
        const next = new Map<string, BuiltSource>();
        for (const key of plan.keep) next.set(key, this.sources.get(key) as BuiltSource);
        for (const [key, source] of built) next.set(key, source);
        const retired = [...this.sources].filter(([key, old]) => next.get(key) !== old).map(([, old]) => old.source);
        this.sources = next;
        this.retire(retired);
        if (current.size > 0 && (plan.build.length > 0 || plan.drop.length > 0)) {
          this.logger.info(
            { kept: plan.keep.length, built: plan.build.map(productKey), dropped: plan.drop },
            'product sources updated for the contracts in force',
          );
        }
      },
      abort: () => void closeAll([...built.values()].map(({ source }) => source)),
    };
  }

  private buildSource(contract: ProductContract, url: string): ResilientSource {
    const adapter = createAdapter(contract.source, url, this.limits);
    const resilience = {
      deadlineMs: contract.source.deadlineMs ?? this.config.deadlineMs,
      breakerFailures: this.config.breakerFailures,
      halfOpenAfterMs: this.config.breakerHalfOpenMs,
    };
    let breaker = this.breakers.get(contract.source.endpoint);
    if (breaker === undefined) {
      breaker = sourceBreaker(resilience);
      this.breakers.set(contract.source.endpoint, breaker);
    }
    return new ResilientSource(contract.source.endpoint, adapter, resilience, breaker);
  }

  /** Closed once every fetch it may be serving has passed its deadline. */
  private retire(sources: ResilientSource[]): void {
    if (sources.length === 0) return;
    for (const source of sources) this.retiring.add(source);
    const longest = Math.max(...sources.map((source) => source.deadlineMs));
    setTimeout(() => {
      for (const source of sources) this.retiring.delete(source);
      void closeAll(sources);
    }, longest + 1_000).unref();
  }

  /**
   * Starts finding the citizen's id in the owner's system, for a later
   * `fetchProduct`: started beside another lookup, the two share a round
   * trip. A failure is reported by the fetch that awaits it, if any.
   */
  localIdOf(contract: ProductContract, pivotId: string): Promise<string | undefined> {
    const found = this.links.findLocalId(pivotId, contract.owner);
    found.catch(() => undefined);
    return found;
  }

  /**
   * Fetches, maps and validates `contract`'s data for one citizen, whose id in
   * the owner's system `localId` finds (looked up now if not given). Throws
   * DomainErrors only.
   */
  async fetchProduct(
    contract: ProductContract,
    pivotId: string,
    correlationId: string,
    localIdOf: Promise<string | undefined> = this.localIdOf(contract, pivotId),
    traced: Context = currentContext(),
  ): Promise<Record<string, unknown>> {
    const source = this.sources.get(productKey(contract))?.source;
    if (source === undefined) throw new DomainError('product-not-found');
    const localId = await localIdOf;
    if (localId === undefined) throw new DomainError('source-record-not-found');

    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      const record = await source.fetch(localId, correlationId, { traced });
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
          {
            event: 'source-contract-violation',
            correlationId,
            source: source.endpoint,
            product: contract.product,
            violations,
          },
          'source answer failed the product schema',
        );
        throw new DomainError('source-contract-violation');
      }
      return data;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const mapped = this.toDomainError(error, source, correlationId);
      outcome = mapped.code;
      throw mapped;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.duration.observe({ source: source.endpoint, outcome }, seconds);
    }
  }

  private toDomainError(error: unknown, source: ResilientSource, correlationId: string): DomainError {
    if (error instanceof SourceOpenCircuitError) {
      this.failures.inc({ source: source.endpoint, failure: 'circuit-open' });
      return new DomainError('source-unavailable', undefined, { retryAfterSeconds: error.retryAfterSeconds });
    }
    if (!(error instanceof SourceError)) throw error;
    this.failures.inc({ source: source.endpoint, failure: error.failure });
    this.logger.warn(
      { event: 'source-failure', correlationId, source: source.endpoint, failure: error.failure, reason: error.reason },
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
    for (const { source } of this.sources.values()) states[source.endpoint] = BREAKER_STATE_NAMES[source.state];
    return states;
  }

  async onApplicationShutdown(): Promise<void> {
    await closeAll([...[...this.sources.values()].map(({ source }) => source), ...this.retiring]);
    this.retiring.clear();
  }
}

async function closeAll(sources: ResilientSource[]): Promise<void> {
  await Promise.allSettled(sources.map((source) => source.close()));
}
