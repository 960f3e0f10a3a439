import { Injectable } from '@nestjs/common';
import { Sql, type SqlTransaction } from '../platform/database/sql';
import { ConsentClaimRepository } from './consent-claim.repository';
import { ConsentService } from './consent.service';
import { SharedClaims } from './shared-claims';
import {
  decideBasis,
  statuteWindowAt,
  type BasisAllowed,
  type BasisDecision,
  type BasisQuestion,
  type DenyReason,
} from './lawful-basis';

/** The basis still holds at release, with the consent's narrowing of the product; or why it no longer does. */
export type BasisHold = { held: true; narrowed: readonly string[] | undefined } | { held: false; reason: DenyReason };

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
    private readonly shared: SharedClaims,
    private readonly sql: Sql,
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
   * Runs `release` with the basis held at `at`, and returns what it returns.
   * A statute holds nothing in the database: it is checked, and no
   * transaction or connection is taken. An ongoing consent's grant is claimed
   * with the releases that claim in the same turn, and stays locked until
   * `release` has ended: a revocation that has answered stops every release
   * after it, and waits for those that claimed before it. A one-time consent
   * is claimed exclusively, counted and used up in a transaction of its own,
   * which `release` ends inside: if its outcome cannot be committed, the use
   * is rolled back.
   */
  async holding<T>(
    question: BasisQuestion,
    allowed: BasisAllowed,
    at: Date,
    release: (hold: BasisHold) => Promise<T>,
  ): Promise<T> {
    if (allowed.basis === 'statute') {
      return release(
        statuteWindowAt(question.purpose, at) === 'inside'
          ? { held: true, narrowed: undefined }
          : { held: false, reason: 'statute-no-longer-in-force' },
      );
    }
    const key = { consentId: allowed.consentId, product: question.product, citizen: question.citizen, at };
    const claim = await this.shared.claim(key);
    if (claim.outcome === 'one-time') {
      return this.sql.transaction(async (tx) => release(await this.holdOneTime(tx, key)));
    }
    // Revoked (or ended) while the source was being called.
    if (claim.outcome === 'not-held') return release({ held: false, reason: 'revoked' });
    try {
      const narrowed = claim.products.find((p) => p.product === question.product)?.fields;
      return await release({ held: true, narrowed });
    } finally {
      // A release that served has had its use counted with its outcome record; the grant is let go either way.
      claim.letGo();
    }
  }

  /** A one-time consent, in its own transaction: claimed exclusively, counted and used up, or no longer held. */
  private async holdOneTime(
    tx: SqlTransaction,
    key: { consentId: string; product: string; citizen: string; at: Date },
  ): Promise<BasisHold> {
    const claimed = await this.claims.claim(tx, key);
    if (claimed === undefined) return { held: false, reason: 'revoked' };
    await this.claims.countUse(tx, key.consentId, key.at);
    await this.consents.useUp(tx, key.consentId, key.citizen, key.at);
    const narrowed = claimed.products.find((p) => p.product === key.product)?.fields;
    return { held: true, narrowed };
  }
}
