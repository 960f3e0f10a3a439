import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { JSONWebKeySet } from 'jose';
import type { SigningKey } from '../platform/signing/signing-key';
import { GENESIS_HASH } from './audit-chain';
import { jsonlLines, verifyExport, type ExportRow } from './audit-jsonl';
import { verifyAuditLog, type RunQuery, type VerifyReport } from './audit-verify';
import { readCheckpoints } from './checkpoints';
import {
  monthOfPartition,
  planRetention,
  type Month,
  type PartitionDecision,
  type PartitionFacts,
} from './retention-plan';
import {
  recordRetention,
  retentionJwsAt,
  signRetention,
  verifyRetention,
  type RetentionStatement,
} from './retention-statement';

/** The owner's connection: queries, and one transaction on one connection for a detachment. */
export interface RetentionDatabase {
  query: RunQuery;
  transaction<T>(work: (query: RunQuery) => Promise<T>): Promise<T>;
}

export interface RetentionOptions {
  /** Months before this one are taken out. */
  before: Month;
  exportDir: string;
  /** A folder of signed evidence (checkpoints, head, retention statements) beside the database's, if any. */
  checkpointDir: string | undefined;
  /** The public keys the log's signatures are checked with (the signing key's among them). */
  keys: JSONWebKeySet;
  /** Signs each month's retention statement. */
  key: SigningKey;
  /** Without it, a dry run: the plan and the verification of the log, nothing written or detached. */
  execute: boolean;
  /** Drop each partition once detached, instead of keeping it as a table of its own. */
  drop: boolean;
  say: (line: string) => Promise<void>;
}

export interface RetainedMonth {
  partition: string;
  month: Month;
  records: number;
  /** The export, for a month that had records, and its SHA-256. */
  file?: string;
  sha256?: string;
}

export interface RetentionReport {
  decisions: PartitionDecision[];
  retained: RetainedMonth[];
  /** The log verified after the months were taken out (execute only). */
  after?: VerifyReport;
}

/** Nothing, or nothing more, is taken out: the message says why. */
export class RetentionRefused extends Error {}

const PARTITIONS_SQL = `
  SELECT c.relname AS name,
         to_char(b.parts[1]::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS "from",
         to_char(b.parts[2]::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS "to"
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                          'FROM \\(''([^'']*)''\\) TO \\(''([^'']*)''\\)') AS parts) b
  WHERE i.inhparent = 'public.audit_event'::regclass
  ORDER BY c.relname`;
const STORED_SQL = 'SELECT min(seq) AS first, max(seq) AS last, now() AS now FROM audit_event';
const EDGES_SQL = `SELECT (SELECT prev_hash FROM audit_event WHERE seq = $1) AS "firstPrev",
                          (SELECT record_hash FROM audit_event WHERE seq = $2) AS "lastHash",
                          (SELECT prev_hash FROM audit_event WHERE seq = $2 + 1) AS "nextPrev"`;

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const seqOrNull = (value: string | null): number | null => (value === null ? null : Number(value));

/** Every partition of the log, with its month (if it is a month's) and the seqs it holds. */
async function readPartitions(query: RunQuery): Promise<PartitionFacts[]> {
  const rows = (await query(PARTITIONS_SQL, [])) as { name: string; from: string | null; to: string | null }[];
  const facts: PartitionFacts[] = [];
  for (const row of rows) {
    const [counted] = (await query(
      `SELECT count(*) AS records, min(seq) AS first, max(seq) AS last FROM public.${ident(row.name)}`,
      [],
    )) as { records: string; first: string | null; last: string | null }[];
    facts.push({
      name: row.name,
      month: monthOfPartition(row.name, row.from, row.to),
      records: Number(counted.records),
      first: seqOrNull(counted.first),
      last: seqOrNull(counted.last),
    });
  }
  return facts;
}

/**
 * `audit retention`: for each whole month before `before`, oldest first,
 * export its records as a verifiable JSONL file, verify that file against
 * the chain, sign a retention statement for its last record, and only then
 * detach the partition (and drop it with `drop`). The whole log must verify
 * first, and again after. A dry run (`execute` false) stops after the first
 * verification. The first month that cannot be taken stops the run.
 */
export async function runRetention(db: RetentionDatabase, options: RetentionOptions): Promise<RetentionReport> {
  const partitions = await readPartitions(db.query);
  const [stored] = (await db.query(STORED_SQL, [])) as { first: string | null; last: string | null; now: Date }[];
  const plan = planRetention({
    partitions,
    before: options.before,
    now: stored.now,
    stored: { first: seqOrNull(stored.first), last: seqOrNull(stored.last) },
  });
  if (!plan.ok) throw new RetentionRefused(plan.refused);
  for (const decision of plan.decisions) await options.say(describe(decision, options.execute));
  const taken = plan.decisions.filter((d) => d.action === 'retain').map((d) => d.partition);
  const report: RetentionReport = { decisions: plan.decisions, retained: [] };
  if (taken.length === 0) {
    await options.say(`no month before ${options.before} can be taken out`);
    return report;
  }
  const before = await verifyAuditLog(db.query, options.checkpointDir, options.keys);
  if (before.outcome !== 'intact') {
    const why =
      before.failure === undefined ? before.unverified : `seq ${before.failure.seq}: ${before.failure.reason}`;
    throw new RetentionRefused(`the audit log does not verify (${before.outcome}, ${why}): nothing is taken out`);
  }
  await options.say(`audit log verified: ${before.verified} records, head seq ${before.head.seq}`);
  if (!options.execute) {
    await options.say('dry run: nothing exported, signed or detached (run again with --execute)');
    return report;
  }
  for (const partition of taken) report.retained.push(await retainMonth(db, partition, options));
  report.after = await verifyAuditLog(db.query, options.checkpointDir, options.keys);
  return report;
}

function describe(decision: PartitionDecision, execute: boolean): string {
  const { partition } = decision;
  const held = partition.records === 0 ? 'no records' : `seq ${partition.first} to ${partition.last}`;
  if (decision.action === 'keep') return `${partition.name} (${held}): kept, ${decision.reason}`;
  return `${partition.name} (${held}): ${execute ? 'taking out' : 'would be taken out'}`;
}

async function retainMonth(
  db: RetentionDatabase,
  partition: PartitionFacts,
  options: RetentionOptions,
): Promise<RetainedMonth> {
  const month = partition.month as Month;
  if (partition.first === null || partition.last === null) {
    await detach(db, partition, options.drop);
    await options.say(`${partition.name}: empty, detached${options.drop ? ' and dropped' : ''}`);
    return { partition: partition.name, month, records: 0 };
  }
  const { first, last } = partition;
  const refuse = (why: string): RetentionRefused => new RetentionRefused(`${partition.name} is not taken out: ${why}`);
  // The hash its first record must follow: the genesis, or the one the previous month's statement vouches for.
  let anchorJws: string | undefined;
  let fromPrevHash = GENESIS_HASH;
  if (first > 1) {
    anchorJws = await retentionJwsAt(db.query, options.checkpointDir, first - 1);
    const anchor = anchorJws === undefined ? undefined : await verifyRetention(anchorJws, options.keys);
    if (anchor?.seq !== first - 1) throw refuse(`no retention statement vouches for the records before seq ${first}`);
    fromPrevHash = anchor.headHash;
  }
  const [edges] = (await db.query(EDGES_SQL, [first, last])) as {
    firstPrev: string;
    lastHash: string;
    nextPrev: string | null;
  }[];
  if (edges.firstPrev !== fromPrevHash) throw refuse(`seq ${first} does not follow the records before it`);
  if (edges.nextPrev !== edges.lastHash) throw refuse(`seq ${last + 1} does not follow its last record`);

  const statement: RetentionStatement = {
    seq: last,
    headHash: edges.lastHash,
    from: first,
    fromPrevHash,
    partition: partition.name,
    at: new Date().toISOString(),
  };
  const jws = signRetention(statement, options.key);
  const file = join(options.exportDir, `${partition.name}.jsonl`);
  const sha256 = await writeExport(db.query, partition.name, file, { first, last, jws, anchorJws });
  const { checkpoints } =
    options.checkpointDir === undefined
      ? { checkpoints: [] }
      : await readCheckpoints(options.checkpointDir, options.keys);
  const input = createReadStream(file, { encoding: 'utf8' });
  const exported = await verifyExport(createInterface({ input, crlfDelay: Infinity }), options.keys, checkpoints);
  if (
    exported.outcome !== 'intact' ||
    exported.from !== first ||
    exported.head.seq !== last ||
    exported.verified !== partition.records
  ) {
    const why =
      exported.failure?.reason ?? exported.unverified ?? `it holds seq ${exported.from} to ${exported.head.seq}`;
    throw refuse(`its export ${file} does not verify (${why})`);
  }
  await detach(db, partition, options.drop, { statement, jws, dir: options.checkpointDir });
  await options.say(
    `${partition.name}: ${partition.records} records exported to ${file} (sha256 ${sha256}), verified, ` +
      `detached${options.drop ? ' and dropped' : ''}`,
  );
  return { partition: partition.name, month, records: partition.records, file, sha256 };
}

/** Writes the month's export (its records between the two statements), synced to disk; returns its SHA-256. */
async function writeExport(
  query: RunQuery,
  partition: string,
  file: string,
  range: { first: number; last: number; jws: string; anchorJws: string | undefined },
): Promise<string> {
  const lines = jsonlLines(
    (after, upTo, size) =>
      query(
        `SELECT seq, prev_hash, record_hash, canonical FROM public.${ident(partition)}
         WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
        [after, upTo, size],
      ) as Promise<ExportRow[]>,
    { seq: range.last, jws: range.jws },
    { after: range.first - 1, retainedFrom: () => Promise.resolve(range.anchorJws), trailer: 'retained' },
  );
  const digest = createHash('sha256');
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  await pipeline(
    Readable.from(lines),
    async function* (chunks: AsyncIterable<string>) {
      for await (const chunk of chunks) {
        digest.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(temporary, { mode: 0o644 }),
  );
  const handle = await open(temporary, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  return digest.digest('hex');
}

/**
 * Detaches a partition in one short transaction, with the statement that
 * vouches for it: the statement is kept with the log if and only if the
 * records are gone from it (its copy in the folder is written first). Once
 * detached, nothing more can land in it: it must then hold exactly what was
 * exported (a record written meanwhile by a node whose clock is months
 * behind would otherwise leave unexported), or everything is rolled back. A
 * lock that would hold appends up for long fails instead. Kept, the
 * partition stays append-only as a table of its own (the cloned row trigger
 * goes with the detachment).
 */
async function detach(
  db: RetentionDatabase,
  partition: PartitionFacts,
  drop: boolean,
  vouched?: { statement: RetentionStatement; jws: string; dir: string | undefined },
): Promise<void> {
  await db.transaction(async (query) => {
    await query(`SET LOCAL lock_timeout = '5s'`, []);
    if (vouched !== undefined) await recordRetention(query, vouched.dir, vouched.statement, vouched.jws);
    const table = `public.${ident(partition.name)}`;
    await query(`ALTER TABLE public.audit_event DETACH PARTITION ${table}`, []);
    const [held] = (await query(`SELECT count(*) AS records, max(seq) AS last FROM ${table}`, [])) as {
      records: string;
      last: string | null;
    }[];
    if (Number(held.records) !== partition.records || seqOrNull(held.last) !== partition.last) {
      throw new RetentionRefused(
        `${partition.name} is not taken out: it holds ${held.records} records now, ${partition.records} were exported`,
      );
    }
    if (drop) {
      await query(`DROP TABLE ${table}`, []);
      return;
    }
    await query(
      `CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON ${table}
       FOR EACH ROW EXECUTE FUNCTION public.audit_event_is_append_only()`,
      [],
    );
  });
}
