/**
 * The performance targets of the brokered path, judged against the floor
 * measured in the same run: absolute figures move from day to day on a shared
 * machine, the ratio to the floor in one run does not. Pure: figures in,
 * verdicts out.
 */

/** What a target needs of one measured run (a subset of exchange-load's Measured). */
export interface RunFigures {
  requestsPerSecond: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  peakRssMb?: number;
}

export interface TargetInput {
  floor: RunFigures;
  exchange: RunFigures;
  tracing: RunFigures;
  /** The traced run samples every request (the default sampler); otherwise its cost is not the one the target bounds. */
  everyRequestSampled: boolean;
}

export interface Verdict {
  target: string;
  /** The figure, as printed. */
  measured: string;
  /** Undefined when the run could not judge it. */
  met: boolean | undefined;
}

export const THROUGHPUT_RATIO = 0.75;
export const P99_RATIO = 2;
export const RSS_LIMIT_MB = 300;
export const TRACING_COST_LIMIT = 0.15;

const failures = (run: RunFigures): number => run.errors + run.timeouts + run.non2xx;

/** 1 − traced / untraced throughput: the share of throughput that tracing costs. */
export function tracingCost(exchange: RunFigures, tracing: RunFigures): number {
  return 1 - tracing.requestsPerSecond / Math.max(1, exchange.requestsPerSecond);
}

export function judgeTargets({ floor, exchange, tracing, everyRequestSampled }: TargetInput): Verdict[] {
  const throughput = exchange.requestsPerSecond / Math.max(1, floor.requestsPerSecond);
  const p99 = exchange.p99 / Math.max(1, floor.p99);
  const errors = failures(exchange) + failures(tracing);
  const rss = Math.max(exchange.peakRssMb ?? 0, tracing.peakRssMb ?? 0);
  const cost = tracingCost(exchange, tracing);
  return [
    {
      target: `throughput ≥ ${THROUGHPUT_RATIO} × floor`,
      measured: `${throughput.toFixed(2)} × (${exchange.requestsPerSecond} / ${floor.requestsPerSecond} req/s)`,
      met: throughput >= THROUGHPUT_RATIO,
    },
    {
      target: `p99 ≤ ${P99_RATIO} × floor p99`,
      measured: `${p99.toFixed(2)} × (${exchange.p99} / ${floor.p99} ms)`,
      met: exchange.p99 <= P99_RATIO * floor.p99,
    },
    {
      // Errors, timeouts and answers other than 200, with tracing and without.
      target: '0 errors',
      measured: `${errors} (errors, timeouts and non-2xx, every gateway run)`,
      met: errors === 0,
    },
    {
      target: `RSS < ${RSS_LIMIT_MB} MB`,
      measured: `${rss} MB (peak, the larger of both gateways)`,
      met: exchange.peakRssMb === undefined ? undefined : rss < RSS_LIMIT_MB,
    },
    {
      target: `tracing costs ≤ ${TRACING_COST_LIMIT * 100}%`,
      measured: `${(cost * 100).toFixed(1)}%${everyRequestSampled ? '' : ' (not every request sampled: not judged)'}`,
      met: everyRequestSampled ? cost <= TRACING_COST_LIMIT : undefined,
    },
  ];
}

/** The verdicts as printed lines, with how many were met. */
export function verdictLines(verdicts: readonly Verdict[]): string[] {
  const mark = (met: boolean | undefined): string => (met === undefined ? 'not judged' : met ? 'met' : 'NOT MET');
  const met = verdicts.filter((verdict) => verdict.met === true).length;
  return [
    'targets, against the floor measured in this run:',
    ...verdicts.map((v) => `  ${v.target.padEnd(26)} ${v.measured.padEnd(58)} ${mark(v.met)}`),
    `${met} of ${verdicts.length} targets met`,
  ];
}
