/**
 * The figures of `npm run bench:cluster` and how they are summed up and
 * printed. Pure.
 */
import type { CpuSnapshot } from './cpu-accounts';
import { line, parties, type Measured } from './exchange-load';
import { stressLine, type StressReport } from './sequencer-stress';

/** One node's part of a run, from its own metrics and /proc. */
export interface NodeFigures {
  node: string;
  requestsPerSecond: number;
  /** Answers to POST /v1/exchanges by status. */
  answers: Record<string, number>;
  /** Upper bounds of the histogram buckets holding the median and the 99th percentile, ms. */
  p50AtMostMs: number;
  p99AtMostMs: number;
  cpuMicrosPerRequest: number;
  auditRecordsPerSecond: number;
  auditBatchesPerSecond: number;
  meanBatch: number;
  batchSizes: Record<string, number>;
}

export interface Phase {
  name: string;
  round?: number;
  nodeCount: number;
  /** Through the load balancer, or straight to the node. */
  balanced: boolean;
  loadAverage: number[];
  exchange: Measured;
  nodes: NodeFigures[];
  audit: {
    recordsPerSecond: number;
    recordsPerRequest: number;
    batchesPerSecond: number;
    meanBatch: number;
    /** Every transaction the database committed, per second (the sequencer's, the exchanges', the nodes'). */
    databaseCommitsPerSecond: number;
    databaseRollbacks: number;
  };
  /** Connections the load balancer handed to each node, warm-up included. */
  balancedConnections?: number[];
}

export interface Scaling {
  /** Req/s round by round: one node straight, one node and two behind the load balancer. */
  direct: number[];
  oneNode: number[];
  twoNodes: number[];
  /** Two nodes ÷ one node, round by round, and their median. */
  ratios: number[];
  medianRatio: number;
  /** What one node loses behind the load balancer (which runs in the load generator's process), %. */
  balancerCostPercent: number;
  /**
   * CPU µs per request of this bench's own processes (gateways, companions,
   * its PostgreSQL, the load generator), median over the rounds: what the
   * machine would serve with nothing else running is cores × 1e6 ÷ this.
   */
  ownCpuOneNode: number;
  ownCpuTwoNodes: number;
  idleCeilingOneNode: number;
  idleCeilingTwoNodes: number;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const round2 = (x: number): number => Math.round(x * 100) / 100;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const ownCpu = (cpu: CpuSnapshot | undefined): number =>
  cpu === undefined ? NaN : cpu.gateway + cpu.companions + cpu.postgres + cpu.loadGenerator;

export function summarise(phases: readonly Phase[], cores: number): Scaling {
  const of = (count: number): Phase[] => phases.filter((p) => p.balanced && p.nodeCount === count);
  const rps = (list: Phase[]): number[] => list.map((p) => p.exchange.requestsPerSecond);
  const direct = rps(phases.filter((p) => !p.balanced));
  const oneNode = rps(of(1));
  const twoNodes = rps(of(2));
  const ratios = twoNodes.map((two, i) => round2(two / oneNode[i]));
  const cpuOne = median(of(1).map((p) => ownCpu(p.exchange.cpuByParty)));
  const cpuTwo = median(of(2).map((p) => ownCpu(p.exchange.cpuByParty)));
  return {
    direct,
    oneNode,
    twoNodes,
    ratios,
    medianRatio: round2(median(ratios)),
    balancerCostPercent: round1((1 - median(oneNode) / median(direct)) * 100),
    ownCpuOneNode: Math.round(cpuOne),
    ownCpuTwoNodes: Math.round(cpuTwo),
    idleCeilingOneNode: Math.round((cores * 1e6) / cpuOne),
    idleCeilingTwoNodes: Math.round((cores * 1e6) / cpuTwo),
  };
}

export function phaseLines(phase: Phase): string[] {
  const { audit } = phase;
  const name = phase.round === undefined ? phase.name : `${phase.name} (round ${phase.round})`;
  return [
    line(name, phase.exchange),
    `  CPU µs per request: ${parties(phase.exchange)}`,
    ...phase.nodes.map(
      (n) =>
        `  node ${n.node}: ${n.requestsPerSecond} req/s (answers ${JSON.stringify(n.answers)}), p50 ≤ ${n.p50AtMostMs} ms, ` +
        `p99 ≤ ${n.p99AtMostMs} ms, gateway CPU ${n.cpuMicrosPerRequest} µs/req; audit ${n.auditRecordsPerSecond} ` +
        `records/s in ${n.auditBatchesPerSecond} batches/s (mean ${n.meanBatch}, sizes ${JSON.stringify(n.batchSizes)})`,
    ),
    `  audit: ${audit.recordsPerSecond} records/s (${audit.recordsPerRequest} per request) in ` +
      `${audit.batchesPerSecond} batches/s (mean ${audit.meanBatch}); the database committed ` +
      `${audit.databaseCommitsPerSecond} transactions/s, rolled back ${audit.databaseRollbacks}` +
      (phase.balancedConnections === undefined ? '' : `; connections by node ${phase.balancedConnections.join('/')}`),
    `  load average at the start: ${phase.loadAverage.join(' ')}`,
  ];
}

export function scalingLines(s: Scaling, cores: number): string[] {
  return [
    `by round: one node direct ${s.direct.join(', ')} req/s; behind the load balancer one node ` +
      `${s.oneNode.join(', ')} req/s, two nodes ${s.twoNodes.join(', ')} req/s`,
    `two nodes ÷ one node: ${s.ratios.join(', ')} → median ${s.medianRatio}×; the load balancer costs ` +
      `${s.balancerCostPercent}% of one node’s throughput`,
    `this bench's own CPU per request (median): one node ${s.ownCpuOneNode} µs, two nodes ${s.ownCpuTwoNodes} µs; ` +
      `on ${cores} idle cores at most ${s.idleCeilingOneNode} and ${s.idleCeilingTwoNodes} req/s`,
  ];
}

export function stressLines(title: string, report: StressReport, seconds: number): string[] {
  const s = report.settings;
  return [
    `${title} (PostgreSQL ${s.version}, fsync ${s.fsync}, synchronous_commit ${s.synchronousCommit}, ` +
      `wal_sync_method ${s.walSyncMethod}), ${seconds} s each:`,
    ...report.levels.map((l) => `  ${stressLine(l)}`),
  ];
}
