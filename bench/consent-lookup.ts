/**
 * `npm run bench:consent`: the consent lookup an exchange makes (this
 * citizen, organisation, purpose, product, now) at 10k and at 1M consents,
 * with the gateway's own prepared statement on a migrated database. It
 * prints p50/p95/p99 of one lookup at a time, the plan, and writes the
 * figures to bench/results/. PostgreSQL comes from DATABASE_URL, or a
 * throw-away embedded cluster.
 */
import { Client, Pool } from 'pg';
import { CONSENT_LOOKUP } from '../src/consent/consent.repository';
import { percentile, withMigratedDatabase, writeResult } from './bench-postgres';

const SIZES = [10_000, 1_000_000];
const WARMUP = 2_000;
const LOOKUPS = 20_000;
/** How many lookups the together form answers at once, as a turn of a loaded gateway sends them. */
const TOGETHER = 8;
/** Each citizen holds this many consents: one per (requester, purpose, product) below. */
const COMBOS = [
  ['afe', 'afe.calcul-aide', 'revenu.avis-cotisation'],
  ['afe', 'afe.calcul-aide', 'etat-civil.naissance'],
  ['mess', 'mess.aide-sociale', 'saaq.adresse'],
  ['retraite-qc', 'retraite-qc.rente', 'ramq.admissibilite'],
] as const;

interface SizeResult {
  consents: number;
  grants: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  lookupsPerSecond: number;
  hitRate: number;
  indexOnly: boolean;
  heapFetches: number | null;
  plan: string[];
  /** The together form, TOGETHER lookups a statement: its p99 per statement, and whether each probe is index-only. */
  together: { p50Us: number; p99Us: number; indexOnly: boolean };
}

/**
 * Adds consents (and their grant rows) for citizens `from` to `to`: one per
 * combination, set-based. About 10 % have expired and 5 % start in the
 * future, so the time condition has work to do.
 */
async function grow(client: Client, from: number, to: number): Promise<void> {
  const combos = COMBOS.map(([r, p, d]) => `('${r}', '${p}', '${d}')`).join(', ');
  await client.query('SET synchronous_commit = off');
  await client.query(`
    CREATE TEMP TABLE batch AS
    SELECT gen_random_uuid() AS id, 'bench-citizen-' || n AS citizen, c.requester, c.purpose, c.product,
           now() + CASE WHEN n % 10 = 0 THEN interval '-400 days'
                        WHEN n % 20 = 1 THEN interval '5 days' ELSE interval '-30 days' END AS valid_from
    FROM generate_series(${from}, ${to - 1}) AS n,
         (VALUES ${combos}) AS c(requester, purpose, product)`);
  await client.query(`
    INSERT INTO consent (id, citizen, requester, purpose, products, valid_from, valid_until, mode, status,
                         created_at, decided_at, receipt)
    SELECT id, citizen, requester, purpose, jsonb_build_array(jsonb_build_object('product', product)),
           valid_from, valid_from + interval '365 days', 'ongoing', 'active', valid_from, valid_from, 'bench'
    FROM batch`);
  await client.query(`
    INSERT INTO consent_grant (consent_id, citizen, requester, purpose, product, valid_from, valid_until)
    SELECT id, citizen, requester, purpose, product, valid_from, valid_from + interval '365 days' FROM batch`);
  await client.query('DROP TABLE batch');
}

async function measure(pool: Pool, client: Client, consents: number): Promise<SizeResult> {
  await client.query('VACUUM ANALYZE consent_grant');
  // A running gateway's index is in memory: read it once (a full index-only scan) before measuring,
  // so the figures are the steady state and not the first touch of each page after bulk loading.
  await client.query('SET enable_seqscan = off');
  await client.query("SELECT count(*) FROM consent_grant WHERE citizen >= ''");
  await client.query('RESET enable_seqscan');
  const citizens = consents / COMBOS.length;
  const args = (i: number): unknown[] => {
    const n = Math.floor(Math.random() * citizens);
    const [requester, purpose, product] = COMBOS[i % COMBOS.length];
    // One lookup in five asks for a product this requester has no consent for.
    const asked = i % 5 === 4 ? 'saaq.adresse' : product;
    return [`bench-citizen-${n}`, requester, purpose, asked, new Date()];
  };
  const lookup = async (i: number): Promise<boolean> =>
    (await pool.query({ name: CONSENT_LOOKUP.name, text: CONSENT_LOOKUP.text, values: args(i) })).rowCount === 1;

  for (let i = 0; i < WARMUP; i++) await lookup(i);
  const samples: number[] = [];
  let hits = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < LOOKUPS; i++) {
    const t = process.hrtime.bigint();
    if (await lookup(i)) hits++;
    samples.push(Number(process.hrtime.bigint() - t) / 1_000);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  samples.sort((a, b) => a - b);

  const explained = await client.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${CONSENT_LOOKUP.text}`,
    args(0),
  );
  const plan = explained.rows.map((row) => row['QUERY PLAN']);
  const together = await measureTogether(pool, client, args);
  const heap = /Heap Fetches: (\d+)/.exec(plan.join('\n'));
  const grants = (await client.query<{ n: string }>('SELECT count(*) AS n FROM consent_grant')).rows[0].n;
  return {
    consents,
    grants: Number(grants),
    p50Us: Math.round(percentile(samples, 50)),
    p95Us: Math.round(percentile(samples, 95)),
    p99Us: Math.round(percentile(samples, 99)),
    maxUs: Math.round(samples[samples.length - 1]),
    lookupsPerSecond: Math.round(LOOKUPS / seconds),
    hitRate: Math.round((hits / LOOKUPS) * 100) / 100,
    indexOnly: plan.some((line) => line.includes('Index Only Scan') && line.includes('consent_grant_lookup')),
    heapFetches: heap === null ? null : Number(heap[1]),
    plan,
    together,
  };
}

/** The lookups of one turn in one statement (CONSENT_LOOKUP.together): TOGETHER sets of parameters, as arrays. */
async function measureTogether(
  pool: Pool,
  client: Client,
  args: (i: number) => unknown[],
): Promise<SizeResult['together']> {
  const form = CONSENT_LOOKUP.together;
  if (form === undefined) throw new Error('the consent lookup has no together form');
  const values = (i: number): unknown[] => {
    const sets = Array.from({ length: TOGETHER }, (_, k) => args(i * TOGETHER + k));
    return sets[0].map((_, column) => sets.map((set) => set[column]));
  };
  const statements = LOOKUPS / TOGETHER;
  for (let i = 0; i < WARMUP / TOGETHER; i++) await pool.query({ name: form.name, text: form.text, values: values(i) });
  const samples: number[] = [];
  for (let i = 0; i < statements; i++) {
    const t = process.hrtime.bigint();
    await pool.query({ name: form.name, text: form.text, values: values(i) });
    samples.push(Number(process.hrtime.bigint() - t) / 1_000);
  }
  samples.sort((a, b) => a - b);
  const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE) ${form.text}`, values(0))).rows.map(
    (row) => row['QUERY PLAN'],
  );
  return {
    p50Us: Math.round(percentile(samples, 50)),
    p99Us: Math.round(percentile(samples, 99)),
    indexOnly: plan.some((line) => line.includes('Index Only Scan') && line.includes('consent_grant_lookup')),
  };
}

async function main(): Promise<void> {
  const results = await withMigratedDatabase(async (url) => {
    const measured: SizeResult[] = [];
    const client = new Client({ connectionString: url });
    await client.connect();
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      await client.query(
        "INSERT INTO organisation (id, name, sector) VALUES ('afe', 'AFE', 'education'), ('mess', 'MESS', 'solidarity'), ('retraite-qc', 'Retraite Québec', 'pensions')",
      );
      let citizens = 0;
      for (const size of SIZES) {
        const target = size / COMBOS.length;
        const growing = process.hrtime.bigint();
        await grow(client, citizens, target);
        citizens = target;
        const seeded = Number(process.hrtime.bigint() - growing) / 1e9;
        process.stdout.write(`${size.toLocaleString('en-CA')} consents seeded in ${seeded.toFixed(1)} s\n`);
        measured.push(await measure(pool, client, size));
      }
    } finally {
      await pool.end();
      await client.end();
    }
    return measured;
  });

  const ms = (us: number): string => `${(us / 1000).toFixed(3)} ms`;
  process.stdout.write(`\nConsent lookup, one at a time (${LOOKUPS.toLocaleString('en-CA')} lookups per size):\n`);
  for (const r of results) {
    process.stdout.write(
      `  ${r.consents.toLocaleString('en-CA').padStart(9)} consents  p50 ${ms(r.p50Us)}  p95 ${ms(r.p95Us)}  ` +
        `p99 ${ms(r.p99Us)}  max ${ms(r.maxUs)}  ${r.lookupsPerSecond} lookups/s  hits ${r.hitRate * 100} %  ` +
        `${r.indexOnly ? 'index-only scan' : 'NOT index-only'} (heap fetches ${String(r.heapFetches)})\n`,
    );
  }
  const [small, large] = results;
  process.stdout.write(`  p99 at 1M / p99 at 10k: ${(large.p99Us / small.p99Us).toFixed(2)}\n`);
  process.stdout.write(`${TOGETHER} lookups in one statement (the together form a loaded gateway sends):\n`);
  for (const r of results) {
    process.stdout.write(
      `  ${r.consents.toLocaleString('en-CA').padStart(9)} consents  p50 ${ms(r.together.p50Us)}  ` +
        `p99 ${ms(r.together.p99Us)} a statement  ${r.together.indexOnly ? 'index-only scans' : 'NOT index-only'}\n`,
    );
  }
  process.stdout.write(`  p99 at 1M / p99 at 10k: ${(large.together.p99Us / small.together.p99Us).toFixed(2)}\n`);
  process.stdout.write(`Plan at 1M:\n${large.plan.map((line) => `    ${line}`).join('\n')}\n`);
  const file = writeResult('consent', { node: process.version, lookups: LOOKUPS, results });
  process.stdout.write(`written to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
