import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { ProductSourceService } from '../adapters/product-source.service';
import { AuditLog } from '../audit/audit-log';
import type { AuditEntry } from '../audit/audit-chain';
import { Catalogue } from '../contracts/catalogue';
import { productNotFound } from '../contracts/product-not-found';
import { DomainError } from '../platform/errors/domain-error';
import { Metrics } from '../platform/metrics/metrics';
import { signDetached } from '../platform/signing/detached-jws';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';
import { annotateSpan, inContext, inSpan } from '../platform/telemetry/spans';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { BasisQuestion, BasisRefused } from '../consent/lawful-basis';
import { LawfulBasisService, type BasisHold } from '../consent/lawful-basis.service';
import { CitizenLinkRepository } from '../adapters/citizen-link.repository';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { CitizenNames } from '../identity/citizen-names.service';
import type { Purpose } from '../contracts/catalogue';
import { decideContract, exchangeOutcome, minimise, type ContractRefused } from './exchange-decision';
import type { ExchangeRequest } from './exchange-request';

/** The signed answer: these exact bytes, and their detached JWS. */
export interface SignedExchange {
  body: Buffer;
  signature: string;
}

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 3, 10];

/**
 * The brokered request path (README, section "Architecture"), in order: (1) identity is the
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
    private readonly bases: LawfulBasisService,
    private readonly names: CitizenNames,
    private readonly links: CitizenLinkRepository,
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

  /** One exchange, counted and timed by product and decision; its steps' spans are children of `traced`'s. */
  async exchange(
    caller: AgencyIdentity,
    request: ExchangeRequest,
    correlationId: string,
    traced: Context = ROOT_CONTEXT,
  ): Promise<SignedExchange> {
    const started = process.hrtime.bigint();
    const requester = caller.organisation;
    let failure: unknown;
    try {
      return await this.broker(caller, request, correlationId, traced);
    } catch (error) {
      failure = error ?? null;
      throw error;
    } finally {
      const decision = exchangeOutcome(failure);
      // On the request's span: how it ended, and a refusal's or failure's problem code (never its message).
      const problem: string | undefined = failure instanceof DomainError ? (failure as DomainError).code : undefined;
      annotateSpan(
        { 'passerelle.decision': decision, ...(problem === undefined ? {} : { 'passerelle.problem': problem }) },
        traced,
      );
      // Only catalogued names become label values: a caller cannot mint time series.
      const product = this.catalogue.find(request.product, request.version)?.product ?? 'unknown';
      this.outcomes.inc({ product, organisation: requester, decision });
      this.latency.observe({ product, decision }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async broker(
    caller: AgencyIdentity,
    request: ExchangeRequest,
    correlationId: string,
    traced: Context,
  ): Promise<SignedExchange> {
    let mark = process.hrtime.bigint();
    const requester = caller.organisation;
    // 1. The citizen, as the caller's sector names them: the pivot id stays inside from here on.
    const pivot = this.names.pivotOf(caller, request.citizen);
    // Named once, on the request's span: its steps' spans are its children.
    annotateSpan(
      {
        'passerelle.product': request.product,
        'passerelle.purpose': request.purpose,
        'passerelle.organisation': requester,
      },
      traced,
    );
    const purpose = this.catalogue.purposes.get(request.purpose);
    // Every record of the exchange says on what basis it was asked, and when the citizen may see it.
    const context = {
      ...purposeDetails(purpose, request.caseRef),
      ...(pivot === undefined ? {} : { citizenIdentifier: request.citizen }),
      ...(caller.identifiers === 'pivot' ? { identifiers: 'pivot' } : {}),
    };
    const base: AuditEntry = {
      kind: 'exchange.outcome',
      organisation: requester,
      citizen: pivot,
      product: request.product,
      purpose: request.purpose,
      correlationId,
    };
    const append = (entry: AuditEntry): Promise<number> =>
      this.audit.append({ ...entry, details: { ...context, ...entry.details } });

    // A refusal by the contract is audited like a consent refusal, and the citizen sees it: probing for
    // products or purposes leaves a trace. The record keeps the precise reason, which the answer hides.
    // If the record cannot be committed, the answer is 503 `audit-unavailable`, as for every denial.
    const refuse = async (refusal: ContractRefused | BasisRefused): Promise<never> => {
      await append({
        ...base,
        decision: 'deny',
        reason: refusal.reason,
        details: { version: request.version, answer: refusal.answer },
      });
      if (refusal.answer === 'invalid-request') throw caseRefMissing();
      if (refusal.answer === 'product-not-found') {
        const visible = this.catalogue.visibleTo(requester).map((entry) => entry.product);
        throw productNotFound({ product: request.product, version: request.version }, visible);
      }
      throw new DomainError(refusal.answer);
    };

    // 2–3. Contract, then the basis: a statute in force, or the citizen's consent. No span of its own: its
    // statements, when traced, are the request's; the step histogram times it, and the request's span says
    // how it ended (passerelle.decision, passerelle.problem).
    const { contract, allowed, basis, question, localId } = await inContext(traced, async () => {
      const found = this.catalogue.find(request.product, request.version);
      const checked = decideContract({
        productExists: found !== undefined || this.catalogue.latest(request.product) !== undefined,
        contract: found,
        granted: found !== undefined && Object.hasOwn(found.access, requester),
        purposeExists: purpose !== undefined,
        fields: found === undefined ? undefined : this.catalogue.allowedFields(found, requester, request.purpose),
      });
      if (!checked.allow) return refuse(checked);
      // The contracts grant catalogued purposes only (the loader checks it): this is a safeguard.
      if (purpose === undefined)
        return refuse({ allow: false, answer: 'purpose-not-allowed', reason: 'unknown-purpose' });
      // An identifier that names nobody for this caller (a pivot id, another sector's): the answer of any refusal.
      if (pivot === undefined) return this.unnamed(caller, request, base, append);
      const question: BasisQuestion = {
        citizen: pivot,
        requester,
        product: request.product,
        purpose,
        caseRef: request.caseRef,
        consentId: request.consentId,
      };
      // The citizen's id at the source is looked up beside the consent, in the same round trip; it is used
      // only once the basis allows and the intent is committed.
      const localId = this.sources.localIdOf(checked.contract, pivot);
      const decision = await this.bases.decide(question, new Date());
      if (!decision.allow) return refuse(decision);
      return { contract: checked.contract, allowed: checked.fields, basis: decision, question, localId };
    });
    mark = this.lap('decide', mark);
    const consentId = basis.basis === 'consent' ? basis.consentId : null;

    // 4. Intent, committed before the source is called.
    const exchangeId = randomUUID();
    // No span of its own either: the step histogram times it.
    await append({ ...base, kind: 'exchange.intent', details: { exchangeId, consentId } });
    mark = this.lap('intent', mark);

    // 5–6. Fetch, map and hold to the schema (ProductSourceService), recording a failure before it answers.
    let data: Record<string, unknown>;
    try {
      data = await inSpan(
        'exchange.fetch',
        (at) => this.sources.fetchProduct(contract, question.citizen, correlationId, localId, at),
        traced,
      );
    } catch (error) {
      const code: string = error instanceof DomainError ? (error as DomainError).code : 'internal-error';
      await append({ ...base, decision: 'error', reason: code, details: { exchangeId, consentId } });
      throw error;
    }
    mark = this.lap('fetch', mark);

    // 6–8. With the basis held (a consent under its lock): minimise, sign, commit the outcome.
    const at = new Date();
    const release = async (hold: BasisHold): Promise<Released> => {
      if (!hold.held) return { hold, at };
      const payload = {
        exchangeId,
        product: contract.product,
        version: contract.version,
        purpose: request.purpose,
        basis: basis.basis,
        consentId,
        issuedAt: at.toISOString(),
        data: minimise(data, allowed, hold.narrowed),
      };
      const body = Buffer.from(JSON.stringify(payload));
      const signature = signDetached(body, this.key);
      // If this cannot be committed, nothing is released (503), and a one-time consent's use rolls back.
      await append({
        ...base,
        decision: 'allow',
        details: { exchangeId, consentId, fields: Object.keys(payload.data) },
      });
      return { hold, at, signed: { body, signature } };
    };
    // No span either: the claim and the outcome record are shared with other exchanges' (batched, untraced).
    const released = await this.bases.holding(question, basis, at, release);
    this.lap('release', mark);
    if (!released.hold.held || released.signed === undefined) {
      const reason = released.hold.held ? 'revoked' : released.hold.reason;
      await append({ ...base, decision: 'deny', reason, details: { exchangeId, consentId } });
      throw new DomainError('consent-required');
    }
    return released.signed;
  }

  /** Refuses a citizen field that names nobody for the caller, recording why and, when known, whose it is. */
  private async unnamed(
    caller: AgencyIdentity,
    request: ExchangeRequest,
    base: AuditEntry,
    append: (entry: AuditEntry) => Promise<number>,
  ): Promise<never> {
    const unnamed = await this.names.explain(caller, request.citizen, (value) => this.links.isKnown(value));
    await append({
      ...base,
      citizen: unnamed.pivot,
      decision: 'deny',
      reason: unnamed.reason,
      details: unnamed.sector === undefined ? {} : { identifierSector: unnamed.sector },
    });
    throw new DomainError('consent-required');
  }
}

/** The release: the hold on the basis, and the signed answer when it held. */
interface Released {
  hold: BasisHold;
  at: Date;
  signed?: SignedExchange;
}

/** What every record of an exchange carries about its purpose's basis. */
function purposeDetails(purpose: Purpose | undefined, caseRef: string | undefined): Record<string, unknown> {
  if (purpose === undefined) return caseRef === undefined ? {} : { caseRef };
  return {
    basis: purpose.basis,
    ...(purpose.basis === 'statute' ? { legalReference: purpose.legalReference } : {}),
    ...(caseRef === undefined ? {} : { caseRef }),
    ...(purpose.disclosure === undefined ? {} : { disclosureDelayDays: purpose.disclosure.delayDays }),
  };
}

function caseRefMissing(): DomainError {
  return new DomainError('invalid-request', 'This purpose requires a case reference', {
    extensions: { errors: [{ pointer: '/caseRef', message: 'is required for this purpose' }] },
  });
}
