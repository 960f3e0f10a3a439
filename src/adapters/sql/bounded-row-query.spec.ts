import { boundedRowQuery, describeQuery, readBoundedRows } from './bounded-row-query';

const QUERY = 'SELECT a, b FROM t WHERE id = $1 -- a trailing comment';

describe('boundedRowQuery', () => {
  it('keeps the query whole, ends any trailing comment, renames its columns and asks for two rows at most', () => {
    const text = boundedRowQuery(QUERY, 2);
    expect(text).toContain(`(${QUERY}\n) AS s(col_1, col_2) LIMIT 2`);
    expect(text).toContain(
      'CASE WHEN m.passerelle_row_number = 1 AND m.passerelle_row_bytes <= $2::bigint THEN m.col_2',
    );
    expect(text).toContain(
      'COALESCE(octet_length(s.col_1::text)::bigint, 0) + COALESCE(octet_length(s.col_2::text)::bigint, 0)',
    );
  });

  it.each([0, -1, 1.5])('refuses a column count of %p', (count) => {
    expect(() => boundedRowQuery(QUERY, count)).toThrow('at least one column');
  });

  it('describes the query without running it for rows', () => {
    expect(describeQuery(QUERY)).toBe(`SELECT * FROM (${QUERY}\n) AS passerelle_source LIMIT 0`);
  });
});

describe('readBoundedRows', () => {
  const names = ['a', 'b'];

  it('answers none for no row', () => {
    expect(readBoundedRows(names, [], 100)).toEqual({ kind: 'none' });
  });

  it('maps one row within the limit back to the query’s names', () => {
    expect(readBoundedRows(names, [['x', 2, '3', '1']], 100)).toEqual({ kind: 'one', row: { a: 'x', b: 2 } });
  });

  it('accepts a row of exactly the limit', () => {
    expect(readBoundedRows(names, [['x', 2, '100', '1']], 100)).toMatchObject({ kind: 'one' });
  });

  it('refuses a row past the limit, whose columns the server left out', () => {
    expect(readBoundedRows(names, [[null, null, '101', '1']], 100)).toEqual({ kind: 'too-large', bytes: 101 });
  });

  it('refuses a row whose size is missing', () => {
    expect(readBoundedRows(names, [['x', 2, null, '1']], 100)).toMatchObject({ kind: 'too-large' });
  });

  it('refuses a second row, whatever the first', () => {
    expect(
      readBoundedRows(
        names,
        [
          ['x', 2, '3', '1'],
          [null, null, '3', '2'],
        ],
        100,
      ),
    ).toEqual({ kind: 'too-many' });
  });
});
