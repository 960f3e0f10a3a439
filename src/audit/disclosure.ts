/**
 * When a citizen may see a record of an access made under a statute with a
 * disclosure delay (`details.disclosureDelayDays`, see README, section
 * 'Citizens and privacy officers'). A day is 24 hours, whatever the clocks
 * do: the delay runs from the record's time, not from a calendar date.
 */
export const DAY_MS = 86_400_000;

/** The instant a record becomes visible to its citizen, or undefined when it has no delay. */
export function disclosedFrom(recordedAt: string | Date, delayDays: unknown): Date | undefined {
  if (typeof delayDays !== 'number' || !Number.isInteger(delayDays) || delayDays <= 0) return undefined;
  return new Date(new Date(recordedAt).getTime() + delayDays * DAY_MS);
}

/** True when the citizen may see the record at `now`: no delay, or the delay has run out. */
export function isDisclosed(recordedAt: string | Date, delayDays: unknown, now: Date): boolean {
  const from = disclosedFrom(recordedAt, delayDays);
  return from === undefined || from.getTime() <= now.getTime();
}

/**
 * `isDisclosed` in SQL, for a row `alias` of audit_event and a timestamptz
 * parameter `now`. Hours, not days: PostgreSQL adds a day of an interval by
 * the calendar of the session's time zone, which is 23 or 25 hours across a
 * change of time.
 */
export function disclosedSql(alias: string, now: string): string {
  const days = `(${alias}.payload->'details'->>'disclosureDelayDays')::int`;
  return `(${alias}.payload->'details'->'disclosureDelayDays' IS NULL
             OR ${alias}.recorded_at + make_interval(hours => 24 * ${days}) <= ${now})`;
}
