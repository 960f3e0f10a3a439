/**
 * The database side of `npm run bench:changes`: the seed (consents and
 * subscriptions, set-based), waiting for the fan-out to drain, and the plan
 * of the fan-out statement on changes that are rolled back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { FAN_OUT } from '../src/changes/change.repository';
import { statuteParameters } from '../src/consent/change-audience';
import type { Purpose } from '../src/contracts/catalogue';
import { DEMO_ORGANISATIONS } from '../src/identity/demo-seed';

export const PRODUCT = 'saaq.adresse';
/** Citizens whose number is a multiple of this keep retraite-qc up to date (10 %). */
export const COVERED_EVERY = 10;
const POLL_MS = 5;
const DRAIN_TIMEOUT_MS = 30 * 60_000;
/** Plan lines are cut here: a custom plan spells out the 1,000 ids of the batch. */
const PLAN_LINE_CHARS = 180;

export interface PlanResult {
  changes: number;
  notices: number;
  statementMs: number;
  usesConsentGrantUpdates: boolean;
  usesSubscriptionProduct: boolean;
  /** Whether the planner takes subscription_product once a sequential scan is ruled out (a small table is scanned). */
  subscriptionProductWithoutSeqScan: boolean;
  plan: string[];
}

export const pivot = (n: number): string => `bench-citizen-${n}`;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `consents` consents (and grants) of retraite-qc for saaq.adresse, ongoing,
 * active, in force now ± 1 year, one in COVERED_EVERY keeping it up to date;
 * retraite-qc and mess subscribed to saaq.adresse. Returns seconds taken.
 */
export async function seed(ownerUrl: string, consents: number): Promise<number> {
  const started = Date.now();
  const db = new Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    await db.query('SET synchronous_commit = off');
    const organisations = DEMO_ORGANISATIONS.filter((o) => ['mess', 'retraite-qc', 'saaq'].includes(o.id));
    await db.query(
      `INSERT INTO organisation (id, name, sector) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (id) DO NOTHING`,
      [organisations.map((o) => o.id), organisations.map((o) => o.name), organisations.map((o) => o.sector)],
    );
    await db.query(`
      CREATE TEMP TABLE seed AS
      SELECT gen_random_uuid() AS id, 'bench-citizen-' || n AS citizen, n % ${COVERED_EVERY} = 0 AS keep
      FROM generate_series(0, ${consents - 1}) AS n`);
    await db.query(`
      INSERT INTO consent (id, citizen, requester, purpose, products, valid_from, valid_until, mode, status,
                           created_at, decided_at, receipt, keep_up_to_date)
      SELECT id, citizen, 'retraite-qc', 'retraite-qc.rente', '[{"product": "${PRODUCT}"}]'::jsonb,
             now() - interval '1 year', now() + interval '1 year', 'ongoing', 'active', now(), now(), 'bench', keep
      FROM seed`);
    await db.query(`
      INSERT INTO consent_grant (consent_id, citizen, requester, purpose, product, valid_from, valid_until,
                                 keep_up_to_date)
      SELECT id, citizen, 'retraite-qc', 'retraite-qc.rente', '${PRODUCT}',
             now() - interval '1 year', now() + interval '1 year', keep
      FROM seed`);
    await db.query(`
      INSERT INTO subscription (organisation, product, purpose)
      VALUES ('retraite-qc', '${PRODUCT}', 'retraite-qc.rente'), ('mess', '${PRODUCT}', 'mess.aide-sociale')`);
    await db.query('DROP TABLE seed');
    await db.query('VACUUM ANALYZE consent');
    await db.query('VACUUM ANALYZE consent_grant');
    await db.query('ANALYZE subscription');
  } finally {
    await db.end();
  }
  return (Date.now() - started) / 1000;
}

/** Waits until no change is left to fan out. */
export async function drained(db: Client): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  const pending = async (): Promise<number> =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM change_report WHERE fanned_out_at IS NULL')).rows[0]
      .n;
  while ((await pending()) > 0) {
    if (Date.now() > deadline) throw new Error('the fan-out did not finish');
    await sleep(POLL_MS);
  }
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the gateway's fan-out statement for
 * `changes` new changes of citizens from `first` on, in a transaction that
 * is rolled back: the running gateway never sees them.
 */
export async function explainFanOut(ownerUrl: string, first: number, changes: number): Promise<PlanResult> {
  const file = join(__dirname, '..', 'schemas', 'purposes.json');
  const { purposes } = JSON.parse(readFileSync(file, 'utf8')) as { purposes: Purpose[] };
  const db = new Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    const ids = (
      await db.query<{ id: string }>(
        `INSERT INTO change_report (id, product, citizen, changed_at, reported_by)
         SELECT gen_random_uuid(), $1, 'bench-citizen-' || n, now() - interval '1 second', 'saaq'
         FROM generate_series($2::int, $3::int) AS n RETURNING id`,
        [PRODUCT, first, first + changes - 1],
      )
    ).rows.map((r) => r.id);
    await db.query('ANALYZE change_report');
    const values = [ids, ...statuteParameters(purposes)];
    const explained = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${FAN_OUT.text}`, values);
    const plan = explained.rows.map((row) => row['QUERY PLAN']);
    const text = plan.join('\n');
    await db.query('SET LOCAL enable_seqscan = off');
    const forced = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${FAN_OUT.text}`, values)).rows
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    return {
      changes,
      notices: Number(/Insert on outbox_event .*?rows=(\d+) loops/.exec(text)?.[1] ?? NaN),
      statementMs: Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? NaN),
      usesConsentGrantUpdates: text.includes('using consent_grant_updates'),
      usesSubscriptionProduct: text.includes('using subscription_product'),
      subscriptionProductWithoutSeqScan: forced.includes('using subscription_product'),
      plan: plan.map((line) => (line.length > PLAN_LINE_CHARS ? `${line.slice(0, PLAN_LINE_CHARS)}…` : line)),
    };
  } finally {
    await db.query('ROLLBACK');
    await db.end();
  }
}
