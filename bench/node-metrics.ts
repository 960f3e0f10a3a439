/**
 * What a gateway node says of itself on its operations listener, read as a
 * bench needs it: samples of the Prometheus text format, histograms, and the
 * difference between two readings. Pure apart from `scrape` and the readers that call it.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A histogram's cumulative buckets (upper bound → count), sum and count. */
export interface Histogram {
  buckets: [number, number][];
  sum: number;
  count: number;
}

export async function scrape(metricsPort: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  if (!response.ok) throw new Error(`metrics: ${response.status}`);
  return response.text();
}

const SAMPLE = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((l) => [l[1], l[2]]));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

const matches = (sample: Sample, labels: Record<string, string>): boolean =>
  Object.entries(labels).every(([key, value]) => sample.labels[key] === value);

/** The sum of the samples named `name` whose labels include `labels`. */
export function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && matches(s, labels)).reduce((sum, s) => sum + s.value, 0);
}

/** The histogram `name`, summed over the series whose labels include `labels`. */
export function histogram(samples: Sample[], name: string, labels: Record<string, string> = {}): Histogram {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !matches(s, labels)) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return {
    buckets: [...buckets].sort((a, b) => a[0] - b[0]),
    sum: total(samples, `${name}_sum`, labels),
    count: total(samples, `${name}_count`, labels),
  };
}

/** What was observed between two readings of the same histogram. */
export function since(before: Histogram, after: Histogram): Histogram {
  const earlier = new Map(before.buckets);
  return {
    buckets: after.buckets.map(([le, count]) => [le, count - (earlier.get(le) ?? 0)]),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/** The upper bound of the bucket that holds quantile `q`: "at most this"; Infinity past the last bound. */
export function bucketQuantile(h: Histogram, q: number): number {
  const rank = q * h.count;
  const found = h.buckets.find(([, count]) => count >= rank && count > 0);
  return found?.[0] ?? Infinity;
}

/** Observations per bucket (not cumulative), by upper bound, leaving out empty ones. */
export function spread(h: Histogram): Record<string, number> {
  const result: Record<string, number> = {};
  let below = 0;
  for (const [le, count] of h.buckets) {
    if (count > below) result[le === Infinity ? '+Inf' : String(le)] = count - below;
    below = count;
  }
  return result;
}

/** Mean time of each exchange step so far, in ms, from the gateway's own histogram. */
export async function stepMeans(metricsPort: number): Promise<Record<string, number>> {
  const text = await scrape(metricsPort);
  const read = (kind: string): Map<string, number> =>
    new Map(
      [...text.matchAll(new RegExp(`passerelle_exchange_step_seconds_${kind}\\{step="(\\w+)"\\} (\\S+)`, 'g'))].map(
        (m) => [m[1], Number(m[2])],
      ),
    );
  const sums = read('sum');
  const counts = read('count');
  return Object.fromEntries(
    [...sums].map(([step, sum]) => [step, Math.round((sum / Math.max(1, counts.get(step) ?? 1)) * 1e5) / 100]),
  );
}

/** The gateway's V8 heap and off-heap memory now, in MB, from its own metrics: what its resident set is made of. */
export async function memoryOf(metricsPort: number): Promise<Record<string, number>> {
  const text = await scrape(metricsPort);
  const mb = (pattern: string): number =>
    Math.round(Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576);
  return {
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    newSpaceMb: mb('nodejs_heap_space_size_total_bytes\\{space="new"\\}'),
    oldSpaceMb: mb('nodejs_heap_space_size_total_bytes\\{space="old"\\}'),
    externalMb: mb('nodejs_external_memory_bytes'),
    rssMb: mb('process_resident_memory_bytes'),
  };
}

export function memoryLine(memory: Record<string, number>): string {
  const parts = Object.entries(memory).map(([part, mb]) => `${part.replace(/Mb$/, '')} ${mb}`);
  return `  memory after the run (MB): ${parts.join(', ')}`;
}
