import type { Purpose } from '../contracts/catalogue';
import { inForceSql } from './in-force';

/**
 * Who may be told of a change: the SQL of the consent context, which owns
 * consents and subscriptions, for the changes context's fan-out statement.
 *
 * `changes` is a relation with columns (id, product, citizen, changed_at).
 * A subscriber is told when its basis covered the citizen at the time of the
 * change: an ongoing consent that keeps it up to date, in force then for that
 * product and purpose (a grant: the consent is active; its `keep_up_to_date`
 * is set only on ongoing consents), or a statute purpose in force then. The
 * statute purposes come as three parallel array parameters (codes, starts,
 * ends; a null bound is open). One notice per change and organisation, whichever
 * of its purposes covers the citizen. Recipients are found by index:
 * `subscription_product` for the product's subscribers, `consent_grant_updates`
 * for their grants.
 */
export function changeAudienceSql(changes: string, statute: { codes: string; from: string; until: string }): string {
  return `SELECT DISTINCT ON (c.id, s.organisation)
                 c.id AS change_id, s.organisation, c.citizen, c.product, s.purpose, c.changed_at
          FROM ${changes} c
          JOIN subscription s ON s.product = c.product
          WHERE EXISTS (SELECT 1 FROM consent_grant g
                         WHERE g.citizen = c.citizen AND g.product = c.product AND g.keep_up_to_date
                           AND g.requester = s.organisation AND g.purpose = s.purpose
                           AND ${inForceSql('g', 'c.changed_at')})
             OR EXISTS (SELECT 1 FROM unnest(${statute.codes}::text[], ${statute.from}::timestamptz[],
                                             ${statute.until}::timestamptz[]) AS st(code, effective_from, effective_until)
                         WHERE st.code = s.purpose
                           AND (st.effective_from IS NULL OR st.effective_from <= c.changed_at)
                           AND (st.effective_until IS NULL OR c.changed_at < st.effective_until))
          ORDER BY c.id, s.organisation, s.purpose`;
}

/** The statute purposes as the parameters `changeAudienceSql` reads. */
export function statuteParameters(purposes: Iterable<Purpose>): [string[], (Date | null)[], (Date | null)[]] {
  const codes: string[] = [];
  const from: (Date | null)[] = [];
  const until: (Date | null)[] = [];
  for (const purpose of purposes) {
    if (purpose.basis !== 'statute') continue;
    codes.push(purpose.code);
    from.push(purpose.effectiveFrom === undefined ? null : new Date(purpose.effectiveFrom));
    until.push(purpose.effectiveUntil === undefined ? null : new Date(purpose.effectiveUntil));
  }
  return [codes, from, until];
}
