/** A calendar month in UTC, as `YYYY-MM`: the audit log's partitions are one month of `recorded_at` each. */
export type Month = string;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const PARTITION = /^audit_event_(\d{4})_(0[1-9]|1[0-2])$/;

export function isMonth(text: string): text is Month {
  return MONTH.test(text);
}

/** The month `date` falls in, in UTC. */
export function monthOf(date: Date): Month {
  return date.toISOString().slice(0, 7);
}

/** `month` moved by `count` months (negative: back). */
export function addMonths(month: Month, count: number): Month {
  const [year, number] = month.split('-').map(Number);
  return monthOf(new Date(Date.UTC(year, number - 1 + count, 1)));
}

/** The partition that holds `month`: `audit_event_2026_01`. */
export function partitionName(month: Month): string {
  return `audit_event_${month.replace('-', '_')}`;
}

/**
 * The month a partition holds, when it is one of the monthly partitions the
 * database made: its name says the month, and its bounds are that month's
 * first instant and the next month's (UTC, as `YYYY-MM-DDTHH:MM:SS`).
 * Anything else (the DEFAULT partition, a partition attached by hand) is not
 * the retention's to take. Pure.
 */
export function monthOfPartition(name: string, from: string | null, to: string | null): Month | undefined {
  const match = PARTITION.exec(name);
  if (match === null) return undefined;
  const month = `${match[1]}-${match[2]}`;
  const first = (m: Month): string => `${m}-01T00:00:00`;
  return from === first(month) && to === first(addMonths(month, 1)) ? month : undefined;
}

/** One partition of the log as the retention finds it. */
export interface PartitionFacts {
  name: string;
  /** Undefined for the DEFAULT partition and any partition that is not one whole month. */
  month: Month | undefined;
  records: number;
  /** Its lowest and highest seq; null when it is empty. */
  first: number | null;
  last: number | null;
}

export type PartitionDecision =
  | { partition: PartitionFacts; action: 'retain' }
  | { partition: PartitionFacts; action: 'keep'; reason: string };

export type RetentionPlan = { ok: false; refused: string } | { ok: true; decisions: PartitionDecision[] };

/**
 * Which month partitions before `before` may be exported and detached, oldest
 * first. Never the current month or the previous one (by `now`, the
 * database's clock): records may still be arriving there from a node whose
 * clock lags, and officers look there most. A month is taken only if the
 * chain left in the database stays whole from its first record: the month's
 * records must be one run of seqs that starts at the first record stored
 * (nothing older left elsewhere, the DEFAULT partition included), and it must
 * not hold the newest record, which the sequencer checks before each batch.
 * The first month that cannot be taken stops the walk: a later one would
 * leave a hole behind it. Pure.
 */
export function planRetention(input: {
  partitions: readonly PartitionFacts[];
  before: Month;
  now: Date;
  /** The lowest and highest seq in the whole table. */
  stored: { first: number | null; last: number | null };
}): RetentionPlan {
  const latest = addMonths(monthOf(input.now), -1);
  if (input.before > latest) {
    return {
      ok: false,
      refused:
        `--before ${input.before} would take out the current or the previous month; ` +
        `the latest allowed is --before ${latest}`,
    };
  }
  const candidates = input.partitions
    .filter((p): p is PartitionFacts & { month: Month } => p.month !== undefined && p.month < input.before)
    .sort((a, b) => a.month.localeCompare(b.month));
  const decisions: PartitionDecision[] = [];
  let expected = input.stored.first;
  let blocked: string | undefined;
  for (const partition of candidates) {
    const reason = blocked ?? keepReason(partition, expected, input.stored.last);
    if (reason === undefined) {
      decisions.push({ partition, action: 'retain' });
      if (partition.last !== null) expected = partition.last + 1;
      continue;
    }
    decisions.push({ partition, action: 'keep', reason });
    blocked ??= `an older month (${partition.month}) is kept`;
  }
  return { ok: true, decisions };
}

function keepReason(partition: PartitionFacts, expected: number | null, newest: number | null): string | undefined {
  if (partition.records === 0 || partition.first === null || partition.last === null) return undefined;
  if (partition.first !== expected) {
    return `its first record (seq ${partition.first}) is not the first one stored (seq ${expected ?? 'none'}): older records are elsewhere`;
  }
  if (partition.last - partition.first + 1 !== partition.records) {
    return `its ${partition.records} records are not one run of seqs from ${partition.first} to ${partition.last}`;
  }
  if (partition.last === newest) return `it holds the newest record (seq ${newest}), the head of the chain`;
  return undefined;
}
