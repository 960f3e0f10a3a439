/**
 * The contract's query, wrapped so that the source's server bounds what it
 * sends back. The gateway needs one row; a second only says "more than one
 * row for one local id". pg parses a whole DataRow at once, so a limit checked
 * in JavaScript comes after the row is already in memory: one 64 MiB row, or
 * 600k small ones, would be read in full before any check could run. So:
 *
 * - `LIMIT 2` over a streaming `row_number() OVER ()`: the server stops after
 *   two rows, whatever the query would yield.
 * - Each row's size is computed on the server as the sum of its columns'
 *   text lengths, `octet_length(col::text)`: that is what pg's text protocol
 *   sends. For text and varchar it is read from the TOAST header without
 *   decompressing; `pg_column_size` would give the compressed size, far below
 *   what travels, and the whole-row `record::text` is slow (seconds for 64 MiB).
 * - The columns are sent only for the first row, and only when it is within
 *   the limit ($2); otherwise they are NULL and the row carries only its size
 *   and number. So at most one row of at most the limit ever reaches us.
 *
 * The contract's columns are renamed by position (`AS passerelle_source(col_1, ...)`),
 * so no name of theirs can clash with ours; the caller maps them back to
 * the names the query gave them. The query itself is unchanged inside, with
 * the local id still its only parameter, `$1`.
 */
export function boundedRowQuery(query: string, columnCount: number): string {
  if (!Number.isInteger(columnCount) || columnCount < 1) throw new Error('the query must return at least one column');
  const columns = Array.from({ length: columnCount }, (_unused, i) => `col_${i + 1}`);
  const keep = 'm.passerelle_row_number = 1 AND m.passerelle_row_bytes <= $2::bigint';
  const size = columns.map((column) => `COALESCE(octet_length(s.${column}::text)::bigint, 0)`).join(' + ');
  return [
    `SELECT ${columns.map((column) => `CASE WHEN ${keep} THEN m.${column} END AS ${column}`).join(', ')},`,
    '  m.passerelle_row_bytes, m.passerelle_row_number',
    `FROM (SELECT s.*, ${size} AS passerelle_row_bytes, row_number() OVER () AS passerelle_row_number`,
    `  FROM (${query}\n) AS s(${columns.join(', ')}) LIMIT 2) m`,
  ].join('\n');
}

/** The query run once to learn how many columns, and which names, the contract's query returns. */
export function describeQuery(query: string): string {
  return `SELECT * FROM (${query}\n) AS passerelle_source LIMIT 0`;
}

export type BoundedRow =
  | { kind: 'none' }
  | { kind: 'one'; row: Record<string, unknown> }
  | { kind: 'too-many' }
  | { kind: 'too-large'; bytes: number };

/**
 * What the wrapped query's answer means. `rows` are in array mode: the
 * contract's columns, then the row's size and its number.
 */
export function readBoundedRows(names: readonly string[], rows: readonly unknown[][], maxBytes: number): BoundedRow {
  if (rows.length === 0) return { kind: 'none' };
  if (rows.length > 1) return { kind: 'too-many' };
  const values = rows[0];
  // int8 arrives as a string; anything else (a NULL) is no size, so no row.
  const size = values[names.length];
  const bytes = typeof size === 'string' || typeof size === 'number' ? Number(size) : Number.NaN;
  if (!(bytes <= maxBytes)) return { kind: 'too-large', bytes };
  const row: Record<string, unknown> = {};
  names.forEach((name, i) => (row[name] = values[i]));
  return { kind: 'one', row };
}
