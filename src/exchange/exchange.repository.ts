import { Injectable } from '@nestjs/common';
import { isUuid } from '../platform/ids';
import type { ConsentMode, ConsentProduct } from '../consent/consent';
import { consentGate, type ConsentRow } from '../consent/consent.repository';
import { Sql, type PreparedStatement, type SqlTransaction } from '../platform/database/sql';
import type { ConsentFacts } from './exchange-decision';

const FACTS: PreparedStatement = {
  name: 'exchange.consent-facts',
  text: `SELECT c.id, c.citizen, c.requester, c.purpose, c.products, c.valid_from, c.valid_until, c.status
         FROM consent c
         WHERE (c.citizen = $1 OR c.id = $2) AND NOT EXISTS (SELECT 1 FROM consent s WHERE s.predecessor_id = c.id)
         ORDER BY c.created_at DESC LIMIT 200`,
};
const MODE: PreparedStatement = { name: 'exchange.consent-mode', text: 'SELECT mode FROM consent WHERE id = $1' };
// The gate is passed in the same statement, before the grant's row is locked (the locking node comes
// last in every plan). A revocation that committed while it waited has deleted the row: no row comes back.
const claimText = (gate: 'shared' | 'exclusive', rowLock: string): string =>
  `SELECT c.products FROM (SELECT ${consentGate(gate, '$1')}) AS gate, consent_grant g JOIN consent c ON c.id = g.consent_id
   WHERE g.consent_id = $1::uuid AND g.product = $2 AND g.citizen = $3 AND g.valid_from <= $4 AND g.valid_until > $4
   ${rowLock}`;
// Ongoing consents are shared by concurrent exchanges; a one-time consent is taken by one of them.
const CLAIM_SHARED: PreparedStatement = { name: 'exchange.claim-shared', text: claimText('shared', 'FOR SHARE OF g') };
const CLAIM_EXCLUSIVE: PreparedStatement = {
  name: 'exchange.claim-exclusive',
  text: claimText('exclusive', 'FOR UPDATE OF g'),
};
const COUNT_USE: PreparedStatement = {
  name: 'exchange.count-use',
  text: `INSERT INTO consent_use (consent_id, use_count, last_used_at) VALUES ($1, 1, $2)
         ON CONFLICT (consent_id) DO UPDATE SET use_count = consent_use.use_count + 1, last_used_at = EXCLUDED.last_used_at`,
};

/** The exchange's own statements: prepared, no ORM. */
@Injectable()
export class ExchangeRepository {
  constructor(readonly sql: Sql) {}

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

  async modeOf(consentId: string): Promise<ConsentMode | undefined> {
    return (await this.sql.query<{ mode: ConsentMode }>(MODE, [consentId]))[0]?.mode;
  }

  /**
   * Passes the consent's gate and locks its grant for this product until the
   * transaction ends, if it is still in force: a revocation waits for the
   * exchange, or the exchange sees the revocation. Returns the consent's
   * products (with any narrowing), or undefined when it no longer holds.
   */
  async claim(
    tx: SqlTransaction,
    claim: { consentId: string; product: string; citizen: string; at: Date; exclusive: boolean },
  ): Promise<ConsentProduct[] | undefined> {
    const rows = await tx.query<{ products: ConsentProduct[] }>(claim.exclusive ? CLAIM_EXCLUSIVE : CLAIM_SHARED, [
      claim.consentId,
      claim.product,
      claim.citizen,
      claim.at,
    ]);
    return rows[0]?.products;
  }

  /** One more use of the consent: inside a transaction, or on its own. */
  async countUse(tx: Pick<SqlTransaction, 'query'>, consentId: string, at: Date): Promise<void> {
    await tx.query(COUNT_USE, [consentId, at]);
  }
}
