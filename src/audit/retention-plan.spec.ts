import {
  addMonths,
  isMonth,
  monthOf,
  monthOfPartition,
  partitionName,
  planRetention,
  type PartitionFacts,
} from './retention-plan';

const NOW = new Date('2026-11-30T23:59:59.999Z');

/** A month's partition holding seqs `first` to `last`, one run. */
function month(month: string, first: number | null, last: number | null, records?: number): PartitionFacts {
  const count = records ?? (first === null || last === null ? 0 : last - first + 1);
  return { name: partitionName(month), month, records: count, first, last };
}

const LOG = [
  month('2026-07', 1, 100),
  month('2026-08', 101, 250),
  month('2026-09', 251, 300),
  month('2026-10', 301, 400),
  month('2026-11', 401, 420),
  month('2026-12', null, null),
  { name: 'audit_event_default', month: undefined, records: 0, first: null, last: null },
];
const STORED = { first: 1, last: 420 };

const actions = (plan: ReturnType<typeof planRetention>): string[] =>
  plan.ok ? plan.decisions.map((d) => `${d.partition.month} ${d.action}`) : [plan.refused];

describe('months', () => {
  it('reads and moves months in UTC, across years', () => {
    expect(monthOf(new Date('2026-01-31T23:59:59.999Z'))).toBe('2026-01');
    expect(monthOf(new Date('2026-02-01T00:00:00.000Z'))).toBe('2026-02');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-03', -14)).toBe('2025-01');
    expect(isMonth('2026-01')).toBe(true);
    expect(isMonth('2026-13')).toBe(false);
    expect(isMonth('2026-1')).toBe(false);
  });

  it('knows a month partition by its name and its bounds, and nothing else', () => {
    expect(monthOfPartition('audit_event_2026_01', '2026-01-01T00:00:00', '2026-02-01T00:00:00')).toBe('2026-01');
    expect(monthOfPartition('audit_event_2026_12', '2026-12-01T00:00:00', '2027-01-01T00:00:00')).toBe('2026-12');
    // The DEFAULT partition, bounds that are not the named month, and a name that is not a month.
    expect(monthOfPartition('audit_event_default', null, null)).toBeUndefined();
    expect(monthOfPartition('audit_event_2026_01', '2026-01-01T00:00:00', '2026-03-01T00:00:00')).toBeUndefined();
    expect(monthOfPartition('audit_event_2026_01', '2025-12-31T05:00:00', '2026-01-31T05:00:00')).toBeUndefined();
    expect(monthOfPartition('audit_event_2026_13', '2026-13-01T00:00:00', '2027-01-01T00:00:00')).toBeUndefined();
  });
});

describe('planRetention', () => {
  it('takes every whole month before the cutoff, oldest first, and leaves the rest alone', () => {
    const plan = planRetention({ partitions: LOG, before: '2026-09', now: NOW, stored: STORED });
    expect(actions(plan)).toEqual(['2026-07 retain', '2026-08 retain']);
  });

  it('takes the month before the previous one at the latest', () => {
    const plan = planRetention({ partitions: LOG, before: '2026-10', now: NOW, stored: STORED });
    expect(actions(plan)).toEqual(['2026-07 retain', '2026-08 retain', '2026-09 retain']);
  });

  it.each([
    ['2026-11', 'the previous month'],
    ['2026-12', 'the current month'],
    ['2027-01', 'the future'],
  ])('refuses --before %s (%s)', (before) => {
    const plan = planRetention({ partitions: LOG, before, now: NOW, stored: STORED });
    expect(plan).toEqual({
      ok: false,
      refused: `--before ${before} would take out the current or the previous month; the latest allowed is --before 2026-10`,
    });
  });

  it('goes by the database clock at a month boundary', () => {
    const justAfter = new Date('2026-12-01T00:00:00.000Z');
    expect(planRetention({ partitions: LOG, before: '2026-11', now: justAfter, stored: STORED }).ok).toBe(true);
    expect(planRetention({ partitions: LOG, before: '2026-11', now: NOW, stored: STORED }).ok).toBe(false);
  });

  it('takes months already emptied and a month with no records', () => {
    const partitions = [month('2026-06', null, null), month('2026-07', 5, 100), month('2026-08', 101, 250)];
    const plan = planRetention({ partitions, before: '2026-09', now: NOW, stored: { first: 5, last: 420 } });
    expect(actions(plan)).toEqual(['2026-06 retain', '2026-07 retain', '2026-08 retain']);
  });

  it('keeps a month whose first record is not the first one stored, and every month after it', () => {
    // Records 1 to 9 are in the DEFAULT partition: taking July would leave them before a hole.
    const partitions = [month('2026-07', 10, 100), month('2026-08', 101, 250)];
    const plan = planRetention({ partitions, before: '2026-09', now: NOW, stored: { first: 1, last: 420 } });
    expect(plan).toEqual({
      ok: true,
      decisions: [
        {
          partition: partitions[0],
          action: 'keep',
          reason: 'its first record (seq 10) is not the first one stored (seq 1): older records are elsewhere',
        },
        { partition: partitions[1], action: 'keep', reason: 'an older month (2026-07) is kept' },
      ],
    });
  });

  it('keeps a month whose seqs interleave with the next one (a node whose clock lagged at the boundary)', () => {
    const partitions = [month('2026-07', 1, 101, 100), month('2026-08', 100, 250, 151)];
    const plan = planRetention({ partitions, before: '2026-09', now: NOW, stored: STORED });
    expect(plan.ok && plan.decisions[0]).toMatchObject({
      action: 'keep',
      reason: 'its 100 records are not one run of seqs from 1 to 101',
    });
    expect(actions(plan)).toEqual(['2026-07 keep', '2026-08 keep']);
  });

  it('keeps the month that holds the head of the chain, however old', () => {
    const partitions = [month('2026-07', 1, 100), month('2026-08', 101, 250)];
    const plan = planRetention({ partitions, before: '2026-09', now: NOW, stored: { first: 1, last: 250 } });
    expect(plan.ok && plan.decisions[1]).toMatchObject({
      action: 'keep',
      reason: 'it holds the newest record (seq 250), the head of the chain',
    });
    expect(actions(plan)).toEqual(['2026-07 retain', '2026-08 keep']);
  });

  it('never takes the DEFAULT partition or a partition that is not one month', () => {
    const odd = { name: 'audit_event_archive', month: undefined, records: 0, first: null, last: null };
    const plan = planRetention({ partitions: [odd, ...LOG], before: '2026-08', now: NOW, stored: STORED });
    expect(actions(plan)).toEqual(['2026-07 retain']);
  });
});
