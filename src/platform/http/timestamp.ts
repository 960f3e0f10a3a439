/**
 * RFC 3339 §5.6 `date-time`, as callers send it: `2026-12-31T23:59:59Z`, `2026-12-31T18:59:59.5-05:00`.
 * A lower-case `t` or `z` and a space for `T` are allowed (RFC 3339 §5.6, note); the offset needs its colon.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
/** RFC 3339 `full-date`, read as midnight UTC; only where a caller asks for it (search filters). */
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Milliseconds since the epoch of a calendar instant in UTC; years 0 to 99 stay themselves (Date.UTC would add 1900). */
function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/**
 * The instant an RFC 3339 timestamp names, or undefined when it names none
 * that a `Date` can hold. Schema formats (ajv-formats' `date-time`) accept
 * text that `Date.parse` then reads as NaN (a leap second `23:59:60`, an
 * offset without minutes) or silently rolls over (`02-30` becomes 2 March on
 * V8), and a NaN instant surfaces much later as a 500 from `toISOString`.
 * So every timestamp from a caller is read here, by its fields, with each
 * field checked, and never handed to `Date.parse`.
 *
 * A leap second is refused rather than folded into the next second: neither
 * JavaScript nor the audit record can say `:60`, and a consent that ends on
 * one is better stated as `:59` or the second after by the one who means it.
 */
export function parseTimestamp(text: string, options: { allowDate?: boolean } = {}): Date | undefined {
  const date = options.allowDate === true ? FULL_DATE.exec(text) : null;
  if (date !== null) {
    const [year, month, day] = date.slice(1, 4).map(Number);
    if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
    return new Date(utcMillis(year, month, day));
  }
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const fraction = match[7] ?? '';
  const [sign, offsetHours, offsetMinutes] = [match[8], Number(match[9] ?? 0), Number(match[10] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Milliseconds are all a Date keeps; further digits are dropped, not rounded up into the next second.
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const instant = utcMillis(year, month, day, hour, minute, second, ms) - offset;
  return Number.isFinite(instant) ? new Date(instant) : undefined;
}

/** Whether `text` is a timestamp `parseTimestamp` reads: the `date-time` format of the request schemas. */
export function isTimestamp(text: string): boolean {
  return parseTimestamp(text) !== undefined;
}
