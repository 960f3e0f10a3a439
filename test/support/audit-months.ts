import type { Client } from 'pg';
import type { AuditEntry } from '../../src/audit/audit-chain';
import type { AuditLog } from '../../src/audit/audit-log';
import { addMonths, monthOf, type Month } from '../../src/audit/retention-plan';

/** The month `count` months before the current one (UTC), as the partitions name them. */
export function monthsAgo(count: number): Month {
  return addMonths(monthOf(new Date()), -count);
}

/** Noon UTC on the 15th of `month`: inside it in every time zone. */
export function midMonth(month: Month): Date {
  return new Date(`${month}-15T12:00:00.000Z`);
}

/** As the owner: the partition of a past month, as the migration makes them (the gateway only makes this month's and the next). */
export async function createMonthPartition(owner: Client, month: Month): Promise<void> {
  await owner.query('SELECT audit_event_create_partition($1::date)', [`${month}-01`]);
}

/**
 * Appends `count` records through the real sequencer with its clock set to
 * `at`: only Date is faked, so sockets, timers and the database run as
 * always. The records are dated `at`, in the chain as in their columns.
 */
export async function appendAt(
  audit: AuditLog,
  at: Date,
  count: number,
  entry: Partial<AuditEntry> = {},
): Promise<number[]> {
  jest.useFakeTimers({
    now: at,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  try {
    return await Promise.all(
      Array.from({ length: count }, (_, i) =>
        audit.append({
          kind: 'exchange.outcome',
          organisation: 'afe',
          citizen: `demo-citizen-${(i % 5) + 1}`,
          product: 'revenu.avis-cotisation',
          purpose: 'afe.calcul-aide',
          decision: 'allow',
          correlationId: `${monthOf(at)}-${i}`,
          ...entry,
        }),
      ),
    );
  } finally {
    jest.useRealTimers();
  }
}

/** Which partition each record lives in, by seq. */
export async function partitionsOf(client: Client): Promise<Map<number, string>> {
  const { rows } = await client.query<{ seq: string; partition: string }>(
    'SELECT seq, tableoid::regclass::text AS partition FROM audit_event ORDER BY seq',
  );
  return new Map(rows.map((row) => [Number(row.seq), row.partition]));
}

/** An export's lines as a reader of the file hands them over, one at a time. */
export async function* linesOf(items: readonly string[]): AsyncGenerator<string> {
  for (const item of items) yield await Promise.resolve(item);
}
