import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Batcher } from '../platform/batching/batcher';
import { Sql, type PreparedStatement } from '../platform/database/sql';
import type { ConsentMode, ConsentProduct } from './consent';
import { consentGate } from './consent.repository';
import { inForceSql } from './in-force';

/** A release's claim on a consent's grant for one product and citizen, at an instant. */
export interface ClaimKey {
  consentId: string;
  product: string;
  citizen: string;
  at: Date;
}

/**
 * What a shared claim found. `held`: the ongoing consent's gate is held (no
 * revocation can pass it) until `letGo`, with the consent's products (and
 * any narrowing). A release that serves counts its use with its outcome
 * record, which the audit batch that commits it counts (see the migration
 * ConsentUsesCountedByTheLog), so letting go waits for nothing. `one-time`:
 * nothing is held; such a consent is used up by one exchange, in a
 * transaction of its own. `not-held`: the grant is no longer in force.
 */
export type SharedClaim =
  | { outcome: 'held'; products: ConsentProduct[]; letGo: () => void }
  | { outcome: 'one-time' }
  | { outcome: 'not-held' };

// The gates of the batch's ongoing consents, passed shared (shared requests never wait for one another, so their
// order does not matter); a one-time consent's is left to the exchange that uses it up (ConsentClaimRepository),
// which takes it exclusively. Every deletion of a grant (revocation, expiry, a one-time use) holds its consent's
// gate exclusively from before it deletes until it commits.
const GATES_TOGETHER: PreparedStatement = {
  name: 'basis.claim-gates',
  text: `SELECT count(*)::int AS passed FROM (
           SELECT ${consentGate('shared', 'm.id')} FROM consent m
           WHERE m.id = ANY($1::uuid[]) AND m.mode = 'ongoing'
         ) AS gates`,
};
// The claims of one batch, read once their gates are passed: a statement of its own, so that its snapshot is
// taken after the gates (read committed), and a revocation that committed while a gate waited has deleted the
// grant it would have read. No row is locked: the gates, held until the transaction ends, keep every
// revocation out until then. A one-time consent's row comes back with its mode.
const CLAIM_TOGETHER: PreparedStatement = {
  name: 'basis.claim-together',
  text: `SELECT q.i::int AS i, m.mode, held.products
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[])
                WITH ORDINALITY AS q(consent_id, product, citizen, at, i)
         JOIN consent m ON m.id = q.consent_id
         LEFT JOIN LATERAL (
           SELECT c.products
           FROM consent_grant g JOIN consent c ON c.id = g.consent_id
           WHERE m.mode = 'ongoing' AND g.consent_id = q.consent_id AND g.product = q.product
             AND g.citizen = q.citizen AND ${inForceSql('g', 'q.at')}
         ) AS held ON true`,
};

/** How many releases may share one transaction. */
const MAX_SHARED = 64;

/**
 * Ongoing consents' claims, shared. The releases that reach their claim in
 * the same turn of the event loop claim together: one transaction, its gates
 * and its read sent in one round trip, and a commit once the last of them has
 * let its grant go (its outcome committed, or failed). Each consent's gate
 * stays held until then, so a revocation still waits for every release that
 * claimed before it, and a release that claims after it finds no grant. The
 * transaction writes nothing and locks no row: its commit only ends the
 * gates.
 */
@Injectable()
export class SharedClaims implements OnModuleDestroy {
  private readonly logger = new Logger(SharedClaims.name);
  private readonly claims = new Batcher<ClaimKey, SharedClaim>((keys) => this.claimTogether(keys), MAX_SHARED);
  private readonly open = new Set<Promise<void>>();

  constructor(private readonly sql: Sql) {}

  /** Claims `key` with the others claimed in this turn. A `held` claim must be let go, whatever happens next. */
  claim(key: ClaimKey): Promise<SharedClaim> {
    return this.claims.add(key);
  }

  /** Resolves once every shared transaction has ended (their releases let go of their claims). */
  async onModuleDestroy(): Promise<void> {
    await this.claims.idle();
    await Promise.all(this.open);
  }

  /**
   * Opens the batch's transaction and answers once its claims are made; the
   * transaction commits when every held claim is let go. A failure before the
   * claims answer fails every release of the batch; one after (the commit)
   * has nothing to undo but the locks, which end with the transaction.
   */
  private claimTogether(keys: ClaimKey[]): Promise<SharedClaim[]> {
    return new Promise<SharedClaim[]>((resolve, reject) => {
      let answered = false;
      const ended = this.sql
        .transaction(async (tx) => {
          const consents = keys.map((key) => key.consentId);
          // Sent together, with BEGIN, in one round trip: the read runs once every gate is passed.
          const gates = tx.query(GATES_TOGETHER, [consents]);
          const read = tx.query<{ i: number; mode: ConsentMode; products: ConsentProduct[] | null }>(CLAIM_TOGETHER, [
            consents,
            keys.map((key) => key.product),
            keys.map((key) => key.citizen),
            keys.map((key) => key.at.toISOString()),
          ]);
          const [, rows] = await Promise.all([gates, read]);
          const byIndex = new Map(rows.map((row) => [row.i, row]));
          const letGo: Promise<void>[] = [];
          const answers = keys.map((_key, index): SharedClaim => {
            const row = byIndex.get(index + 1);
            if (row?.mode === 'one-time') return { outcome: 'one-time' };
            if (row?.products === null || row?.products === undefined) return { outcome: 'not-held' };
            let settle!: () => void;
            letGo.push(new Promise((resolve) => (settle = resolve)));
            return { outcome: 'held', products: row.products, letGo: () => settle() };
          });
          answered = true;
          resolve(answers);
          await Promise.all(letGo);
        })
        .catch((error: unknown) => {
          if (!answered) reject(error instanceof Error ? error : new Error(String(error)));
          throw error;
        });
      const logged = ended
        .catch((error: unknown) => {
          if (answered) this.logger.warn(`a shared consent claim did not commit: ${(error as Error).message}`);
        })
        .finally(() => this.open.delete(logged));
      this.open.add(logged);
    });
  }
}
