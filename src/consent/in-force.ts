/**
 * The rule "in force", once: a window `[from, until)` holds at `now` when
 * `from <= now < until`; a missing bound is open. Consents (their validity)
 * and statutes (their window in force) both read it here, and the SQL that
 * finds a consent in force is built from `inForceSql`, which a test holds to
 * `isInForce` over a table of cases.
 */

export type WindowPosition = 'before' | 'inside' | 'after';

/** Where `now` falls against `[from, until)`: the end is exclusive, the start inclusive. */
export function windowAt(from: Date | undefined, until: Date | undefined, now: Date): WindowPosition {
  const t = now.getTime();
  if (until !== undefined && t >= until.getTime()) return 'after';
  if (from !== undefined && t < from.getTime()) return 'before';
  return 'inside';
}

/** True when the consent may release data at `now`: active, and `validFrom <= now < validUntil`. */
export function isInForce(record: { status: string; validFrom: Date; validUntil: Date }, now: Date): boolean {
  return record.status === 'active' && windowAt(record.validFrom, record.validUntil, now) === 'inside';
}

/**
 * `isInForce` for a `consent_grant` row `alias` at the instant `$at`. The
 * status half is the grant's existence: a consent has grants only while it
 * is active (they are inserted with it and deleted when it ends).
 */
export function inForceSql(alias: string, at: string): string {
  return `${alias}.valid_from <= ${at} AND ${alias}.valid_until > ${at}`;
}
