import { Injectable } from '@nestjs/common';
import type { SqlTransaction } from '../platform/database/sql';
import { ConsentClaimRepository } from './consent-claim.repository';
import { ConsentService } from './consent.service';
import {
  decideBasis,
  statuteWindowAt,
  type BasisAllowed,
  type BasisDecision,
  type BasisQuestion,
  type DenyReason,
} from './lawful-basis';

/** The basis still holds at release: the consent's narrowing of the product, and whether a use is counted after. */
export type BasisHold =
  | { held: true; narrowed: readonly string[] | undefined; countAfterRelease: boolean }
  | { held: false; reason: DenyReason };

/**
 * The one door to "may this be served, and on what basis?". It gathers the
 * facts (for a consent purpose one index-only lookup, and the citizen's
 * records only to explain a refusal; for a statute nothing from the
 * database), asks `decideBasis`, and at release holds the basis under the
 * consent's lock, so that a revocation that has answered stops every release
 * after it. Nothing outside this context reads or locks consents.
 */
@Injectable()
export class LawfulBasisService {
  constructor(
    private readonly consents: ConsentService,
    private readonly claims: ConsentClaimRepository,
  ) {}

  async decide(question: BasisQuestion, now: Date): Promise<BasisDecision> {
    const { purpose } = question;
    const needsConsent = purpose.basis === 'consent' && (!purpose.caseRefRequired || question.caseRef !== undefined);
    if (!needsConsent) return decideBasis({ ...question, now, consents: [] });
    const found =
      question.consentId === undefined
        ? await this.consents.findInForce(question.citizen, question.requester, purpose.code, question.product, now)
        : undefined;
    // The lookup answers the common case; a miss is explained from the citizen's records.
    const consents = found === undefined ? await this.claims.consentFacts(question.citizen, question.consentId) : [];
    return decideBasis({ ...question, now, found, consents });
  }

  /**
   * At `at`: a statute still in force (no transaction needed), or, in the
   * release's transaction, the consent still in force, its gate passed and
   * its grant locked until the transaction ends. A one-time consent is counted and used up here, under
   * its exclusive claim.
   */
  async hold(
    tx: SqlTransaction | undefined,
    question: BasisQuestion,
    allowed: BasisAllowed,
    at: Date,
  ): Promise<BasisHold> {
    if (allowed.basis === 'statute') {
      return statuteWindowAt(question.purpose, at) === 'inside'
        ? { held: true, narrowed: undefined, countAfterRelease: false }
        : { held: false, reason: 'statute-no-longer-in-force' };
    }
    const { consentId } = allowed;
    if (tx === undefined) throw new Error('a consent is held only in a transaction');
    const claimed = await this.claims.claim(tx, {
      consentId,
      product: question.product,
      citizen: question.citizen,
      at,
    });
    // Revoked (or used up) while the source was being called.
    if (claimed === undefined) return { held: false, reason: 'revoked' };
    if (claimed.mode === 'one-time') {
      await this.claims.countUse(tx, consentId, at);
      await this.consents.useUp(tx, consentId, question.citizen, at);
    }
    const narrowed = claimed.products.find((p) => p.product === question.product)?.fields;
    // An ongoing consent's count waits for the commit: its row would otherwise serialise every exchange of it.
    return { held: true, narrowed, countAfterRelease: claimed.mode !== 'one-time' };
  }

  /** After the release committed: one more use of an ongoing consent, counted with others'. */
  async released(allowed: BasisAllowed, hold: BasisHold, at: Date): Promise<void> {
    if (allowed.basis === 'consent' && hold.held && hold.countAfterRelease) {
      await this.claims.countUseOf(allowed.consentId, at);
    }
  }
}
