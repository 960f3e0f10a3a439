/** The portal shows and reads times in Quebec's zone. */
export const PORTAL_TIME_ZONE = 'America/Toronto';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** The UTC offset of `zone` at `instant`, in milliseconds (negative west of Greenwich). */
function offsetAt(instant: Date, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - instant.getTime();
}

/**
 * A form's `datetime-local` value (wall-clock time, no zone) read in `zone`, as
 * an ISO instant; anything else is returned as it is, for the filter to judge.
 */
export function wallClockToInstant(value: string | undefined, zone = PORTAL_TIME_ZONE): string | undefined {
  const match = value === undefined ? null : LOCAL.exec(value);
  if (match === null) return value;
  const [, year, month, day, hour, minute] = match.map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // The offset at the guessed instant, then again at the corrected one (right across a DST change).
  const first = asUtc - offsetAt(new Date(asUtc), zone);
  return new Date(asUtc - offsetAt(new Date(first), zone)).toISOString();
}
