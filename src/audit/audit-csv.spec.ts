import type { AuditPayload } from './audit-chain';
import { CSV_COLUMNS, csvLines } from './audit-csv';

const record = (seq: number, details?: Record<string, unknown>): { seq: string; payload: AuditPayload } => ({
  seq: String(seq),
  payload: {
    seq,
    recordedAt: '2026-03-01T12:00:00.000Z',
    kind: 'exchange.outcome',
    organisation: 'mess',
    decision: 'allow',
    ...(details === undefined ? {} : { details }),
  },
});

async function all(rows: { seq: string; payload: AuditPayload }[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const chunk of csvLines((after) => Promise.resolve(rows.filter((row) => Number(row.seq) > after))))
    lines.push(chunk);
  return lines.join('').trim().split('\n');
}

describe('csvLines', () => {
  it('ends each line with the exchange’s basis, read from its details, and leaves it empty where there is none', async () => {
    const lines = await all([
      record(1, { basis: 'statute', legalReference: 'RLRQ c. R-9, art. 71' }),
      record(2, { basis: 'consent' }),
      record(3),
    ]);
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[0].endsWith(',correlationId,basis')).toBe(true);
    expect(lines.slice(1).map((line) => line.split(',').at(-1))).toEqual(['statute', 'consent', '']);
    expect(lines[1].startsWith('1,2026-03-01T12:00:00.000Z,exchange.outcome,mess,')).toBe(true);
  });
});
