import { randomUUID } from 'node:crypto';
import { isUuid } from '../platform/ids';
import { Inject, Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log';
import { Catalogue } from '../contracts/catalogue';
import { DomainError } from '../platform/errors/domain-error';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';
import type { SqlTransaction } from '../platform/database/sql';
import type { ConsentEventPayload, ConsentEventType } from '../notifications/outbox-events';
import { OutboxWriter } from '../notifications/outbox-writer';
import { effectiveStatus, successorOf, toView, type ConsentRecord, type ConsentView } from './consent';
import { signReceipt, type ReceiptContext } from './consent-receipt';
import { ConsentRepository, type StoredConsent } from './consent.repository';
import { checkTerms, statutePurposeProblem, type TermsContext, type TermsInput } from './consent-terms';

export const RECEIPT_ISSUER = 'urn:passerelle:gateway';

/**
 * The consent registry: records are made only from terms the contracts
 * allow, never edited (a change is a successor with its own receipt), and
 * every change commits with its outbox event and its lookup rows, so that a
 * revocation is in force for every exchange once the call has answered.
 */
@Injectable()
export class ConsentService {
  private readonly receiptContext: ReceiptContext;

  constructor(
    private readonly consents: ConsentRepository,
    private readonly catalogue: Catalogue,
    private readonly audit: AuditLog,
    private readonly outbox: OutboxWriter,
    @Inject(SIGNING_KEY) private readonly signingKey: SigningKey,
  ) {
    this.receiptContext = {
      issuer: RECEIPT_ISSUER,
      ownerOf: (product) => catalogue.latest(product)?.owner,
      purposeTitle: (purpose) => catalogue.purposes.get(purpose)?.title.fr,
      legalReference: (purpose) => catalogue.purposes.get(purpose)?.legalReference,
    };
  }

  termsContext(now: Date): TermsContext {
    return {
      now,
      purposeBasis: (purpose) => this.catalogue.purposes.get(purpose)?.basis,
      maxConsentDays: (purpose) => this.catalogue.purposes.get(purpose)?.maxConsentDays,
      allowedFields: (product, requester, purpose) => {
        const contract = this.catalogue.latest(product);
        return contract === undefined ? undefined : this.catalogue.allowedFields(contract, requester, purpose);
      },
      productAccess: (product, requester) => {
        const contract = this.catalogue.latest(product);
        if (contract === undefined) return 'unknown';
        return Object.hasOwn(contract.access, requester) ? 'granted' : 'not-granted';
      },
    };
  }

  /** The citizen grants a consent directly. Bad terms answer 422, naming the fields. */
  async grant(citizen: string, input: TermsInput, now = new Date()): Promise<ConsentView> {
    const context = this.termsContext(now);
    const statute = statutePurposeProblem(input, context);
    if (statute.length > 0) throw badRequest(statute);
    const terms = checkTerms(input, context);
    if (Array.isArray(terms)) throw invalid(terms);
    const record: ConsentRecord = {
      ...terms,
      id: randomUUID(),
      citizen,
      status: 'active',
      createdAt: now,
      decidedAt: now,
      revokedAt: null,
      revokedBy: null,
      predecessorId: null,
      requestId: null,
    };
    await this.consents.transaction((tx) => this.record(tx, record, 'consent.granted'));
    return toView(record, { successorId: null, useCount: 0, lastUsedAt: null }, now);
  }

  /** Inserts a new record with its receipt, its grants and its event, in the caller's transaction. */
  async record(tx: SqlTransaction, record: ConsentRecord, event: ConsentEventType | null): Promise<void> {
    const receipt = await signReceipt(record, this.receiptContext, this.signingKey);
    await this.consents.insert(tx, record, receipt);
    // Committed before the change is: if the audit log cannot take it, the change is rolled back.
    await this.audit.append({
      kind: `consent.${record.status}`,
      organisation: record.requester,
      citizen: record.citizen,
      purpose: record.purpose,
      decision: record.status,
      details: {
        consentId: record.id,
        predecessorId: record.predecessorId,
        requestId: record.requestId,
        products: record.products,
        validUntil: record.validUntil.toISOString(),
      },
    });
    if (event !== null) {
      await this.outbox.add(tx, {
        type: event,
        organisation: record.requester,
        citizen: record.citizen,
        payload: eventPayload(record),
      });
    }
  }

  async list(citizen: string, now = new Date()): Promise<ConsentView[]> {
    return (await this.consents.listCurrent(citizen)).map((stored) => view(stored, now));
  }

  async get(citizen: string, id: string, now = new Date()): Promise<ConsentView> {
    return view(await this.own(citizen, id), now);
  }

  async receipt(citizen: string, id: string): Promise<string> {
    return (await this.own(citizen, id)).receipt;
  }

  /**
   * Ends an active consent. The successor record, the removal of its grants
   * and the event commit together before this resolves: from then on no
   * exchange finds the consent.
   */
  async revoke(citizen: string, id: string, now = new Date()): Promise<ConsentView> {
    if (!isUuid(id)) throw new DomainError('not-found');
    const successor = await this.consents.transaction(async (tx) => {
      await this.consents.lockGrants(tx, id);
      const stored = await this.consents.lockOwn(tx, id, citizen);
      if (stored === undefined) throw new DomainError('not-found');
      if (stored.successorId !== null || effectiveStatus(stored.record, now) !== 'active') {
        throw new DomainError('consent-not-active');
      }
      const next = successorOf(stored.record, { id: randomUUID(), status: 'revoked', at: now, by: citizen });
      await this.consents.withdrawGrants(tx, stored.record.id);
      await this.record(tx, next, 'consent.revoked');
      return { next, stored };
    });
    return toView(
      successor.next,
      { successorId: null, useCount: successor.stored.useCount, lastUsedAt: successor.stored.lastUsedAt },
      now,
    );
  }

  /**
   * The expiry job's work: every consent whose time has come gets its
   * `expired` successor and event. Exchanges do not wait for it: expiry is
   * decided at check time. Returns how many it expired.
   */
  async expireDue(now = new Date(), batch = 500): Promise<number> {
    let expired = 0;
    for (const { consentId, citizen } of await this.consents.dueForExpiry(now, batch)) {
      const done = await this.consents.transaction(async (tx) => {
        await this.consents.lockGrants(tx, consentId);
        const stored = await this.consents.lockOwn(tx, consentId, citizen);
        if (stored === undefined || stored.successorId !== null || stored.record.status !== 'active') {
          // Revoked or expired meanwhile: only the stale grants remain to go.
          await this.consents.withdrawGrants(tx, consentId);
          return false;
        }
        const next = successorOf(stored.record, { id: randomUUID(), status: 'expired', at: now, by: null });
        await this.consents.withdrawGrants(tx, consentId);
        await this.record(tx, next, 'consent.expired');
        return true;
      });
      if (done) expired++;
    }
    return expired;
  }

  /** A one-time consent has served its exchange: its `expired` successor ends it, in the exchange's transaction. */
  async useUp(tx: SqlTransaction, consentId: string, citizen: string, now: Date): Promise<void> {
    const stored = await this.consents.lockOwn(tx, consentId, citizen);
    if (stored === undefined || stored.successorId !== null) return;
    const next = successorOf(stored.record, { id: randomUUID(), status: 'expired', at: now, by: null });
    await this.consents.withdrawGrants(tx, consentId);
    await this.record(tx, next, 'consent.expired');
  }

  /** For the exchange: the id of the consent in force, or undefined. Revocations are seen at once. */
  findInForce(
    citizen: string,
    requester: string,
    purpose: string,
    product: string,
    now = new Date(),
  ): Promise<string | undefined> {
    return this.consents.lookup(citizen, requester, purpose, product, now);
  }

  private async own(citizen: string, id: string): Promise<StoredConsent> {
    // A malformed id cannot be anyone's: the same 404 as another citizen's consent.
    const stored = isUuid(id) ? await this.consents.findOwn(id, citizen) : undefined;
    if (stored === undefined) throw new DomainError('not-found');
    return stored;
  }
}

/** Terms that cannot be read as a consent at all: 400 naming the fields. */
export function badRequest(problems: { pointer: string; message: string }[]): DomainError {
  return new DomainError('invalid-request', 'No consent can be given for this purpose', {
    extensions: { errors: problems },
  });
}

function view(stored: StoredConsent, now: Date): ConsentView {
  return toView(stored.record, stored, now);
}

export function invalid(problems: { pointer: string; message: string }[]): DomainError {
  return new DomainError('validation-failed', 'The consent terms cannot be accepted', {
    extensions: { errors: problems },
  });
}

function eventPayload(record: ConsentRecord): ConsentEventPayload {
  return {
    consentId: record.id,
    citizen: record.citizen,
    requester: record.requester,
    purpose: record.purpose,
    products: record.products,
    status: record.status,
    validFrom: record.validFrom.toISOString(),
    validUntil: record.validUntil.toISOString(),
    predecessorId: record.predecessorId,
    requestId: record.requestId,
  };
}
