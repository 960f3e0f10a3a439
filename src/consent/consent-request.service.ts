import { createHash, randomUUID } from 'node:crypto';
import { isUuid } from '../platform/ids';
import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { AuditLog } from '../audit/audit-log';
import { DomainError } from '../platform/errors/domain-error';
import { OutboxWriter } from '../notifications/outbox-writer';
import { CitizenLinkRepository } from '../adapters/citizen-link.repository';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { CitizenNames, type NamingRefusal } from '../identity/citizen-names.service';
import type { ConsentMode, ConsentRecord, ConsentTerms, ConsentView } from './consent';
import { toView } from './consent';
import { approvalTerms, type ApprovalChoice } from './approval';
import { checkTerms, statutePurposeProblem, termsRefusal, type TermsInput, type TermsRefusal } from './consent-terms';
import { ConsentRequestRepository, type ConsentRequest } from './consent-request.repository';
import { ConsentRepository } from './consent.repository';
import { badRequest, ConsentService, invalid } from './consent.service';

/** What an agency sends: the terms it asks the citizen to accept. */
export interface ConsentRequestInput extends Omit<TermsInput, 'requester' | 'validFrom'> {
  citizen: string;
  message?: string;
}

export interface ConsentRequestView {
  id: string;
  requester: string;
  citizen: string;
  purpose: string;
  products: ConsentRequest['products'];
  validUntil: string | null;
  mode: ConsentMode;
  keepUpToDate: boolean;
  message: string | null;
  status: ConsentRequest['status'];
  createdAt: string;
  decidedAt: string | null;
  consentId: string | null;
}

/** An answer to replay for an Idempotency-Key. */
export interface Answer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

class KeyTaken extends Error {}

/**
 * Agencies ask a citizen for consent; the citizen approves (which makes the
 * active consent) or rejects (which records the refusal). Requests are
 * checked against the contracts when made and again when approved.
 */
@Injectable()
export class ConsentRequestService {
  constructor(
    private readonly requests: ConsentRequestRepository,
    private readonly consents: ConsentRepository,
    private readonly consentService: ConsentService,
    private readonly audit: AuditLog,
    private readonly outbox: OutboxWriter,
    private readonly names: CitizenNames,
    private readonly links: CitizenLinkRepository,
  ) {}

  /**
   * Records a pending request. With an Idempotency-Key, the first answer is
   * kept with the request, in one transaction, and replayed for the same
   * body; the same key with another body answers 422.
   */
  async create(
    caller: Pick<AgencyIdentity, 'organisation' | 'sector' | 'identifiers'>,
    asked: ConsentRequestInput,
    idempotencyKey: string | undefined,
    correlationId?: string,
    now = new Date(),
  ): Promise<Answer<ConsentRequestView>> {
    const requester = caller.organisation;
    const requestHash = createHash('sha256')
      .update(canonicalize(asked) ?? '')
      .digest('hex');
    if (idempotencyKey !== undefined) {
      const replay = await this.replay(requester, idempotencyKey, requestHash);
      if (replay !== undefined) return replay;
    }
    // The citizen as the caller's sector names them; one that names nobody is refused like any consent failure.
    const pivot = this.names.pivotOf(caller, asked.citizen);
    if (pivot === undefined) {
      const unnamed = await this.names.explain(caller, asked.citizen, (value) => this.links.isKnown(value));
      await this.recordRefusal(requester, { ...asked, citizen: unnamed.pivot }, unnamed.reason, correlationId);
      throw new DomainError('consent-required');
    }
    const input = { ...asked, citizen: pivot };
    const context = this.consentService.termsContext(now);
    const statute = statutePurposeProblem(input, context);
    if (statute.length > 0) {
      await this.recordRefusal(requester, input, 'statute-purpose', correlationId);
      throw badRequest(statute);
    }
    const terms = checkTerms({ ...input, requester }, context);
    if (Array.isArray(terms)) {
      await this.recordRefusal(requester, input, termsRefusal({ ...input, requester }, context), correlationId);
      throw invalid(terms);
    }
    const request: ConsentRequest = {
      id: randomUUID(),
      requester,
      citizen: input.citizen,
      purpose: terms.purpose,
      products: terms.products,
      validUntil: input.validUntil === undefined ? null : terms.validUntil,
      mode: terms.mode,
      keepUpToDate: terms.keepUpToDate,
      message: input.message ?? null,
      status: 'pending',
      createdAt: now,
      decidedAt: null,
      consentId: null,
    };
    // The agency reads the citizen back as it named them.
    const body = { ...requestView(request), citizen: asked.citizen };
    try {
      await this.consents.transaction(async (tx) => {
        await this.requests.insert(tx, request);
        await this.outbox.add(tx, {
          type: 'consent-request.created',
          organisation: requester,
          citizen: request.citizen,
          payload: { requestId: request.id, requester, purpose: request.purpose, products: request.products },
        });
        if (idempotencyKey !== undefined) {
          const saved = await this.requests.saveAnswer(tx, requester, idempotencyKey, {
            requestHash,
            status: 201,
            body,
          });
          // A concurrent request with the same key committed first: this one is rolled back.
          if (!saved) throw new KeyTaken();
        }
      });
    } catch (error) {
      if (!(error instanceof KeyTaken) || idempotencyKey === undefined) throw error;
      const replay = await this.replay(requester, idempotencyKey, requestHash);
      if (replay === undefined) throw error;
      return replay;
    }
    return { status: 201, body, replayed: false };
  }

  async getForRequester(
    caller: Pick<AgencyIdentity, 'organisation' | 'sector' | 'identifiers'>,
    id: string,
  ): Promise<ConsentRequestView> {
    const request = isUuid(id) ? await this.requests.findForRequester(id, caller.organisation) : undefined;
    if (request === undefined) throw new DomainError('not-found');
    return { ...requestView(request), citizen: this.names.identifierFor(caller, request.citizen) };
  }

  async listForCitizen(citizen: string): Promise<ConsentRequestView[]> {
    return (await this.requests.listForCitizen(citizen)).map(requestView);
  }

  /**
   * The citizen approves: the active consent, the request's decision and both
   * events commit together. `choice` is what the citizen decided beyond the
   * request (keep the requester up to date or not); absent, as the agency asked.
   */
  approve(
    citizen: string,
    id: string,
    choice: ApprovalChoice = {},
    now = new Date(),
  ): Promise<{ request: ConsentRequestView; consent: ConsentView }> {
    return this.decide(citizen, id, { decision: 'approved', choice }, now);
  }

  /** The citizen rejects: the refusal is recorded as a consent record of its own, with its receipt. */
  reject(
    citizen: string,
    id: string,
    now = new Date(),
  ): Promise<{ request: ConsentRequestView; consent: ConsentView }> {
    return this.decide(citizen, id, { decision: 'rejected' }, now);
  }

  private async decide(
    citizen: string,
    id: string,
    answer: { decision: 'approved'; choice: ApprovalChoice } | { decision: 'rejected' },
    now: Date,
  ): Promise<{ request: ConsentRequestView; consent: ConsentView }> {
    const { decision } = answer;
    if (!isUuid(id)) throw new DomainError('not-found');
    return this.consents.transaction(async (tx) => {
      const request = await this.requests.lockForCitizen(tx, id, citizen);
      if (request === undefined) throw new DomainError('not-found');
      if (request.status !== 'pending') throw new DomainError('request-already-decided');
      let record: ConsentRecord;
      if (answer.decision === 'approved') {
        // The contracts or the time may have changed since the agency asked.
        const terms = checkTerms(approvalTerms(request, answer.choice), this.consentService.termsContext(now));
        if (Array.isArray(terms)) throw invalid(terms);
        record = { ...terms, ...decided(request, citizen, now), status: 'active' };
      } else {
        const validUntil = request.validUntil ?? new Date(now.getTime() + 1000);
        record = {
          requester: request.requester,
          purpose: request.purpose,
          products: request.products,
          validFrom: now,
          validUntil: validUntil > now ? validUntil : new Date(now.getTime() + 1000),
          mode: request.mode,
          keepUpToDate: false,
          ...decided(request, citizen, now),
          status: 'refused',
        };
      }
      await this.consentService.record(tx, record, decision === 'approved' ? 'consent.granted' : null);
      await this.requests.decide(tx, request.id, { status: decision, at: now, consentId: record.id });
      const decidedRequest: ConsentRequest = { ...request, status: decision, decidedAt: now, consentId: record.id };
      await this.outbox.add(tx, {
        type: decision === 'approved' ? 'consent-request.approved' : 'consent-request.rejected',
        organisation: request.requester,
        citizen,
        payload: { requestId: request.id, consentId: record.id, citizen, status: decision, purpose: request.purpose },
      });
      return {
        request: requestView(decidedRequest),
        consent: toView(record, { successorId: null, useCount: 0, lastUsedAt: null }, now),
      };
    });
  }

  /**
   * An agency asking for what it may not ask leaves a record, like a refused
   * exchange: asking is how a caller probes. Committed before the answer; if
   * it cannot be, the answer is 503 `audit-unavailable`. The names come from
   * the request schema (patterns and lengths bound them); field lists are left
   * out, since the reason already says whether a field was at fault.
   */
  private async recordRefusal(
    requester: string,
    input: Omit<ConsentRequestInput, 'citizen'> & { citizen: string | undefined },
    reason: TermsRefusal | NamingRefusal,
    correlationId: string | undefined,
  ): Promise<void> {
    await this.audit.append({
      kind: 'consent-request.refused',
      organisation: requester,
      citizen: input.citizen,
      purpose: input.purpose,
      decision: 'deny',
      reason,
      correlationId,
      details: { products: input.products.map((entry) => (typeof entry === 'string' ? entry : entry.product)) },
    });
  }

  private async replay(
    requester: string,
    key: string,
    requestHash: string,
  ): Promise<Answer<ConsentRequestView> | undefined> {
    const stored = await this.requests.findAnswer(requester, key);
    if (stored === undefined) return undefined;
    if (stored.requestHash !== requestHash) throw new DomainError('idempotency-key-reused');
    return { status: stored.status, body: stored.body as ConsentRequestView, replayed: true };
  }
}

function decided(
  request: ConsentRequest,
  citizen: string,
  now: Date,
): Omit<ConsentRecord, keyof ConsentTerms | 'status'> {
  return {
    id: randomUUID(),
    citizen,
    createdAt: now,
    decidedAt: now,
    revokedAt: null,
    revokedBy: null,
    predecessorId: null,
    requestId: request.id,
  };
}

export function requestView(request: ConsentRequest): ConsentRequestView {
  return {
    id: request.id,
    requester: request.requester,
    citizen: request.citizen,
    purpose: request.purpose,
    products: request.products,
    validUntil: request.validUntil?.toISOString() ?? null,
    mode: request.mode,
    keepUpToDate: request.keepUpToDate,
    message: request.message,
    status: request.status,
    createdAt: request.createdAt.toISOString(),
    decidedAt: request.decidedAt?.toISOString() ?? null,
    consentId: request.consentId,
  };
}
