import { DAY_MS, disclosedFrom, disclosedSql, isDisclosed } from './disclosure';

const AT = '2026-03-01T12:00:00.000Z';

describe('disclosedFrom', () => {
  it('is the record’s time plus whole days of 24 hours', () => {
    expect(disclosedFrom(AT, 90)?.toISOString()).toBe('2026-05-30T12:00:00.000Z');
    expect(disclosedFrom(new Date(AT), 1)?.getTime()).toBe(new Date(AT).getTime() + DAY_MS);
  });

  it('counts 24 hours a day across a change of time (Quebec moved its clocks on 2026-03-08)', () => {
    expect(disclosedFrom('2026-03-07T12:00:00.000Z', 2)?.toISOString()).toBe('2026-03-09T12:00:00.000Z');
  });

  it.each([[undefined], [null], [0], [-3], [1.5], ['90']])('is undefined for a delay of %p', (delay) => {
    expect(disclosedFrom(AT, delay)).toBeUndefined();
  });
});

describe('isDisclosed', () => {
  const from = new Date(new Date(AT).getTime() + 90 * DAY_MS);

  it('shows a record with no delay at once', () => {
    expect(isDisclosed(AT, undefined, new Date(AT))).toBe(true);
  });

  it('hides a delayed record until the delay has run out, to the millisecond', () => {
    expect(isDisclosed(AT, 90, new Date(AT))).toBe(false);
    expect(isDisclosed(AT, 90, new Date(from.getTime() - 1))).toBe(false);
    expect(isDisclosed(AT, 90, from)).toBe(true);
    expect(isDisclosed(AT, 90, new Date(from.getTime() + DAY_MS))).toBe(true);
  });
});

describe('disclosedSql', () => {
  it('reads the delay from the record and adds it as hours, compared with the parameter given', () => {
    const sql = disclosedSql('a', '$4');
    expect(sql).toContain("a.payload->'details'->'disclosureDelayDays' IS NULL");
    expect(sql).toContain('make_interval(hours => 24 * ');
    expect(sql).toMatch(/<= \$4\)$/);
  });
});
