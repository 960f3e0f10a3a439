import { isTimestamp, parseTimestamp } from './timestamp';

describe('parseTimestamp', () => {
  it.each([
    ['2026-12-31T23:59:59Z', '2026-12-31T23:59:59.000Z'],
    ['2026-12-31t23:59:59z', '2026-12-31T23:59:59.000Z'],
    ['2026-12-31 23:59:59Z', '2026-12-31T23:59:59.000Z'],
    ['2026-12-31T18:59:59-05:00', '2026-12-31T23:59:59.000Z'],
    ['2027-01-01T05:29:59+05:30', '2026-12-31T23:59:59.000Z'],
    ['2026-12-31T23:59:59.9999Z', '2026-12-31T23:59:59.999Z'],
    ['2026-12-31T23:59:59.5Z', '2026-12-31T23:59:59.500Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseTimestamp(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['a leap second at an offset', '2026-12-31T18:59:60-05:00'],
    ['a leap second with a fraction', '2026-06-30T23:59:60.5Z'],
    ['30 February', '2026-02-30T00:00:00Z'],
    ['29 February of a common year', '2026-02-29T00:00:00Z'],
    ['29 February of a century not divisible by 400', '1900-02-29T00:00:00Z'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-01-00T00:00:00Z'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['minute 60', '2026-01-01T00:60:00Z'],
    ['an offset of hours only', '2026-01-01T00:00:00+05'],
    ['an offset without its colon', '2026-01-01T00:00:00+0530'],
    ['an offset of 24 hours', '2026-01-01T00:00:00+24:00'],
    ['an offset of 60 minutes', '2026-01-01T00:00:00+01:60'],
    ['no offset (local time of whom?)', '2026-01-01T00:00:00'],
    ['a tab for the T', '2026-01-01\t00:00:00Z'],
    ['a date alone', '2026-01-01'],
    ['an expanded year', '+275760-09-13T00:00:00Z'],
    ['a word', 'tomorrow'],
    ['a number', '1767225600000'],
    ['an empty string', ''],
  ])('refuses %s (%s)', (_name, text) => {
    expect(parseTimestamp(text)).toBeUndefined();
    expect(isTimestamp(text)).toBe(false);
  });

  it('reads a date alone as midnight UTC only when asked to', () => {
    expect(parseTimestamp('2026-03-01', { allowDate: true })?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseTimestamp('2026-02-30', { allowDate: true })).toBeUndefined();
    expect(parseTimestamp('2026-12-31T23:59:60Z', { allowDate: true })).toBeUndefined();
  });

  it('agrees with Date.parse wherever Date.parse is exact', () => {
    for (const text of ['2026-07-01T12:34:56.789Z', '2026-07-01T08:34:56.789-04:00', '1999-12-31T23:59:59+14:00']) {
      expect(parseTimestamp(text)?.getTime()).toBe(Date.parse(text));
    }
  });
});
