import { Injectable } from '@nestjs/common';
import { isUuid } from '../platform/ids';
import { Sql, type PreparedStatement, type SqlTransaction } from '../platform/database/sql';
import type { ConsentMode, ConsentProduct } from './consent';
import { consentGate, type ConsentRow } from './consent.repository';
import { inForceSql } from './in-force';
import type { ConsentFacts } from './lawful-basis';

const FACTS: PreparedStatement = {
  name: 'basis.consent-facts',
  pipelined: true,
  text: `SELECT c.id, c.citizen, c.requester, c.purpose, c.products, c.valid_from, c.valid_until, c.status
         FROM consent c
         WHERE (c.citizen = $1 OR c.id = $2) AND NOT EXISTS (SELECT 1 FROM consent s WHERE s.predecessor_id = c.id)
         ORDER BY c.created_at DESC LIMIT 200`,
};
// The gate is passed in the same statement, before the grant's row is locked (the locking node comes
// last in every plan): shared for an ongoing consent, exclusive for a one-time consent, which one
// exchange takes. A revocation that committed while it waited has deleted the row: no row comes back.
const CLAIM: PreparedStatement = {
  name: 'basis.claim',
  text: `SELECT c.products, c.mode
         FROM (SELECT CASE WHEN m.mode = 'one-time' THEN ${consentGate('exclusive', '$1')}
                           ELSE ${consentGate('shared', '$1')} END
               FROM consent m WHERE m.id = $1::uuid) AS gate,
              consent_grant g JOIN consent c ON c.id = g.consent_id
         WHERE g.consent_id = $1::uuid AND g.product = $2 AND g.citizen = $3 AND ${inForceSql('g', '$4')}
         FOR SHARE OF g`,
};
const COUNT_USE: PreparedStatement = {
  name: 'basis.count-use',
  text: `INSERT INTO consent_use (consent_id, use_count, last_used_at) VALUES ($1, 1, $2)
         ON CONFLICT (consent_id) DO UPDATE SET use_count = consent_use.use_count + 1, last_used_at = EXCLUDED.last_used_at`,
};
/** What an exchange reads and writes of consents: the facts of a refusal, a one-time claim and its use. Prepared, no ORM. */
@Injectable()
export class ConsentClaimRepository {
  constructor(private readonly sql: Sql) {}

  /** The citizen's current consent records, and the named one whoever it belongs to: for the reason of a denial. */
  async consentFacts(citizen: string, consentId: string | undefined): Promise<ConsentFacts[]> {
    const named = consentId !== undefined && isUuid(consentId) ? consentId : null;
    const rows = await this.sql.query<
      Pick<
        ConsentRow,
        'id' | 'citizen' | 'requester' | 'purpose' | 'products' | 'valid_from' | 'valid_until' | 'status'
      >
    >(FACTS, [citizen, named]);
    return rows.map((row) => ({
      id: row.id,
      citizen: row.citizen,
      requester: row.requester,
      purpose: row.purpose,
      products: row.products.map((p) => p.product),
      validFrom: row.valid_from,
      validUntil: row.valid_until,
      status: row.status,
    }));
  }

  /**
   * Passes the consent's gate and locks its grant for this product until the
   * transaction ends, if it is still in force: a revocation waits for the
   * exchange, or the exchange sees the revocation. Returns the consent's
   * products (with any narrowing) and its mode, or undefined when it no
   * longer holds.
   */
  async claim(
    tx: SqlTransaction,
    claim: { consentId: string; product: string; citizen: string; at: Date },
  ): Promise<{ products: ConsentProduct[]; mode: ConsentMode } | undefined> {
    const rows = await tx.query<{ products: ConsentProduct[]; mode: ConsentMode }>(CLAIM, [
      claim.consentId,
      claim.product,
      claim.citizen,
      claim.at,
    ]);
    return rows[0];
  }

  /** One more use of the consent, in the transaction that uses it up (a one-time consent). */
  async countUse(tx: SqlTransaction, consentId: string, at: Date): Promise<void> {
    await tx.query(COUNT_USE, [consentId, at]);
  }
}
