import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { ProductSourceService } from '../adapters/product-source.service';
import { AuditLog } from '../audit/audit-log';
import type { AuditEntry } from '../audit/audit-chain';
import { ConsentService } from '../consent/consent.service';
import { Catalogue } from '../contracts/catalogue';
import { DomainError } from '../platform/errors/domain-error';
import { Metrics } from '../platform/metrics/metrics';
import { signDetached } from '../platform/signing/detached-jws';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';
import { inSpan, inSpanSync } from '../platform/telemetry/spans';
import {
  decideContract,
  decideExchange,
  exchangeOutcome,
  minimise,
  type ContractRefused,
  type DenyReason,
} from './exchange-decision';
import type { ExchangeRequest } from './exchange-request';
import { ExchangeRepository } from './exchange.repository';

/** The signed answer: these exact bytes, and their detached JWS. */
export interface SignedExchange {
  body: Buffer;
  signature: string;
}

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 3, 10];

/**
 * The brokered request path of DESIGN.md, in order: (1) identity is the
 * caller's, from the socket; (2) contract; (3) consent; (4) audit intent;
 * (5) fetch; (6) validate and minimise; (7) sign; (8) audit outcome. No
 * data leaves unless its outcome record is committed, and a revocation
 * committed before step 8 stops the release.
 */
@Injectable()
export class ExchangeService {
  private readonly steps: Histogram<'step'>;
  private readonly outcomes: Counter<'product' | 'organisation' | 'decision'>;
  private readonly latency: Histogram<'product' | 'decision'>;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly consents: ConsentService,
    private readonly repository: ExchangeRepository,
    private readonly sources: ProductSourceService,
    private readonly audit: AuditLog,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    metrics: Metrics,
  ) {
    this.steps = new Histogram({
      name: 'passerelle_exchange_step_seconds',
      help: 'Time spent in each step of the brokered path: decide (contract and consent), intent, fetch, release',
      labelNames: ['step'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 3],
      registers: [metrics.registry],
    });
    this.outcomes = new Counter({
      name: 'passerelle_exchanges_total',
      help: 'Exchanges by product, requesting organisation and decision (allow, deny by policy, error)',
      labelNames: ['product', 'organisation', 'decision'] as const,
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'passerelle_exchange_duration_seconds',
      help: 'Exchange duration inside the gateway, by product and decision',
      labelNames: ['product', 'decision'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [metrics.registry],
    });
  }

  /** Observes the time since `since` under `step`, and returns now. */
  private lap(step: string, since: bigint): bigint {
    const now = process.hrtime.bigint();
    this.steps.observe({ step }, Number(now - since) / 1e9);
    return now;
  }

  /** One exchange, counted and timed by product and decision. */
  async exchange(requester: string, request: ExchangeRequest, correlationId: string): Promise<SignedExchange> {
    const started = process.hrtime.bigint();
    let failure: unknown;
    try {
      return await this.broker(requester, request, correlationId);
    } catch (error) {
      failure = error ?? null;
      throw error;
    } finally {
      const decision = exchangeOutcome(failure);
      // Only catalogued names become label values: a caller cannot mint time series.
      const product = this.catalogue.find(request.product, request.version)?.product ?? 'unknown';
      this.outcomes.inc({ product, organisation: requester, decision });
      this.latency.observe({ product, decision }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async broker(requester: string, request: ExchangeRequest, correlationId: string): Promise<SignedExchange> {
    let mark = process.hrtime.bigint();
    const attributes = {
      'passerelle.product': request.product,
      'passerelle.purpose': request.purpose,
      'passerelle.organisation': requester,
    };
    const base: AuditEntry = {
      kind: 'exchange.outcome',
      organisation: requester,
      citizen: request.citizen,
      product: request.product,
      purpose: request.purpose,
      correlationId,
    };
    const append = (entry: AuditEntry): Promise<number> =>
      inSpan('audit.append', { ...attributes, 'passerelle.audit.kind': entry.kind }, () => this.audit.append(entry));
    const deny = async (reason: DenyReason): Promise<never> => {
      await append({ ...base, decision: 'deny', reason });
      throw new DomainError('consent-required');
    };

    // A refusal by the contract is audited like a consent refusal, and the citizen sees it: probing for
    // products or purposes leaves a trace. The record keeps the precise reason, which the answer hides.
    // If the record cannot be committed, the answer is 503 `audit-unavailable`, as for every denial.
    const refuse = async (refusal: ContractRefused): Promise<never> => {
      await append({
        ...base,
        decision: 'deny',
        reason: refusal.reason,
        details: { version: request.version, answer: refusal.answer },
      });
      throw new DomainError(refusal.answer);
    };

    // 2–3. Contract and consent.
    const { contract, allowed, consentId } = await inSpan('exchange.decide', attributes, async () => {
      const found = this.catalogue.find(request.product, request.version);
      const checked = decideContract({
        productExists: found !== undefined || this.catalogue.latest(request.product) !== undefined,
        contract: found,
        granted: found !== undefined && Object.hasOwn(found.access, requester),
        purposeExists: this.catalogue.purposes.has(request.purpose),
        fields: found === undefined ? undefined : this.catalogue.allowedFields(found, requester, request.purpose),
      });
      if (!checked.allow) return refuse(checked);
      const { contract, fields } = checked;
      // The lookup answers the common case; a miss is explained from the citizen's records.
      const now = new Date();
      const inForce =
        request.consentId === undefined
          ? await this.consents.findInForce(request.citizen, requester, request.purpose, request.product, now)
          : undefined;
      if (inForce !== undefined) return { contract, allowed: fields, consentId: inForce };
      const decision = decideExchange({
        citizen: request.citizen,
        requester,
        purpose: request.purpose,
        product: request.product,
        now,
        consentId: request.consentId,
        consents: await this.repository.consentFacts(request.citizen, request.consentId),
      });
      if (!decision.allow) return deny(decision.reason);
      return { contract, allowed: fields, consentId: decision.consentId };
    });
    mark = this.lap('decide', mark);

    // 4. Intent, committed before the source is called.
    const exchangeId = randomUUID();
    await append({ ...base, kind: 'exchange.intent', details: { exchangeId, consentId } });
    mark = this.lap('intent', mark);

    // 5–6. Fetch, map and hold to the schema (ProductSourceService), recording a failure before it answers.
    let data: Record<string, unknown>;
    try {
      data = await inSpan('exchange.fetch', attributes, () =>
        this.sources.fetchProduct(contract, request.citizen, correlationId),
      );
    } catch (error) {
      const code: string = error instanceof DomainError ? (error as DomainError).code : 'internal-error';
      await append({ ...base, decision: 'error', reason: code, details: { exchangeId, consentId } });
      throw error;
    }
    mark = this.lap('fetch', mark);

    // 6–8. Under the consent's lock: still in force, count the use, minimise, sign, commit the outcome.
    const released = await this.repository.sql.transaction(async (tx) => {
      const at = new Date();
      const claimed = await this.repository.claim(tx, {
        consentId,
        product: request.product,
        citizen: request.citizen,
        at,
      });
      if (claimed === undefined) return undefined;
      const { products, mode } = claimed;
      // A one-time consent is counted and used up under its exclusive claim. An ongoing consent's
      // count waits for the commit: its row would otherwise serialise every exchange of the consent.
      if (mode === 'one-time') {
        await this.repository.countUse(tx, consentId, at);
        await this.consents.useUp(tx, consentId, request.citizen, at);
      }
      const narrowed = products.find((p) => p.product === request.product)?.fields;
      const payload = {
        exchangeId,
        product: contract.product,
        version: contract.version,
        purpose: request.purpose,
        consentId,
        issuedAt: at.toISOString(),
        data: minimise(data, allowed, narrowed),
      };
      const body = Buffer.from(JSON.stringify(payload));
      const signature = inSpanSync('exchange.sign', attributes, () => signDetached(body, this.key));
      // If this cannot be committed, the transaction rolls back and nothing is released (503).
      await append({
        ...base,
        decision: 'allow',
        details: { exchangeId, consentId, fields: Object.keys(payload.data), caseRef: request.caseRef ?? null },
      });
      return { body, signature, at, mode };
    });
    // Revoked (or used up) while the source was being called.
    if (released === undefined) {
      this.lap('release', mark);
      return deny('revoked');
    }
    if (released.mode !== 'one-time') await this.repository.countUseOf(consentId, released.at);
    this.lap('release', mark);
    return { body: released.body, signature: released.signature };
  }
}
