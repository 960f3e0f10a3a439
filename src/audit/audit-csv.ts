import type { AuditPayload } from './audit-chain';

export const CSV_COLUMNS = [
  'seq',
  'recordedAt',
  'kind',
  'organisation',
  'citizen',
  'product',
  'purpose',
  'decision',
  'reason',
  'correlationId',
  // Last, so that readers of the older columns by position read them where they were.
  'basis',
] as const;

const PAGE = 5_000;

/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The cell of `column` for one record: `basis` is the exchange's, in its details; the rest are the record's own. */
function cellOf(row: { seq: string; payload: AuditPayload }, column: (typeof CSV_COLUMNS)[number]): string {
  if (column === 'seq') return csvCell(row.seq);
  if (column === 'basis') return csvCell(row.payload.details?.basis);
  return csvCell(row.payload[column]);
}

/**
 * The audit events as CSV text, one page of `fetchPage` at a time (keyset by
 * seq), so memory stays flat however many rows go out.
 */
export async function* csvLines(
  fetchPage: (afterSeq: number, size: number) => Promise<{ seq: string; payload: AuditPayload }[]>,
): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\n`;
  for (let after = 0; ; ) {
    const rows = await fetchPage(after, PAGE);
    if (rows.length === 0) return;
    yield rows.map((row) => `${CSV_COLUMNS.map((column) => cellOf(row, column)).join(',')}\n`).join('');
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1].seq);
  }
}
