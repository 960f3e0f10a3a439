/**
 * `npm run bench:audit`: builds an audit log of 1,000,000 chained records
 * (the gateway's own hashing, inserted in batches), signs checkpoints as the
 * sequencer would, and the signed head of its last record, then runs the
 * offline verifier over it and reports records/s. Then it writes the
 * verifiable JSONL export to a file and times `audit verify-export` over it
 * (no database). PostgreSQL comes from DATABASE_URL, or a throw-away
 * embedded cluster.
 */
import { KeyObject, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { exportJWK, generateKeyPair, calculateJwkThumbprint, type JSONWebKeySet } from 'jose';
import { Client, Pool } from 'pg';
import { chainRecord, GENESIS_HASH, type AuditPayload, type AuditRecord } from '../src/audit/audit-chain';
import { csvLines } from '../src/audit/audit-csv';
import { jsonlLines, verifyExport, type ExportReport, type ExportRow } from '../src/audit/audit-jsonl';
import { VERIFY_SEGMENTS, verifyAuditLog, type AuditRow, type VerifyOutcome } from '../src/audit/audit-verify';
import { readCheckpoints, writeCheckpoint } from '../src/audit/checkpoints';
import { signHead, writeHead } from '../src/audit/signed-head';
import type { SigningKey } from '../src/platform/signing/signing-key';
import { withMigratedDatabase, writeResult } from './bench-postgres';

const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
const SEGMENTS = process.env.BENCH_AUDIT_SEGMENTS === undefined ? undefined : Number(process.env.BENCH_AUDIT_SEGMENTS);
const BATCH = 10_000;
const CHECKPOINT_EVERY = 1_000;
/** Months the records are spread over, the last one being this month (one partition each). */
const MONTHS = Number(process.env.BENCH_AUDIT_MONTHS ?? 1);

async function main(): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const key: SigningKey = {
    kid,
    privateKey,
    signer: KeyObject.from(privateKey),
    publicJwk: { ...publicJwk, kid, alg: 'ES256' },
  };
  // What a verifier is given: the public keys only.
  const jwks: JSONWebKeySet = { keys: [key.publicJwk] };
  const checkpointDir = mkdtempSync(join(tmpdir(), 'passerelle-bench-checkpoints-'));
  const exportDir = mkdtempSync(join(tmpdir(), 'passerelle-bench-export-'));
  const pseudonymKey = randomBytes(32);

  const result = await withMigratedDatabase(async (url) => {
    try {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('SET synchronous_commit = off');
        const building = process.hrtime.bigint();
        let prev = { seq: 0, hash: GENESIS_HASH };
        const now = new Date();
        const monthAt = (back: number): Date =>
          back === 0 ? now : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 15, 12));
        for (let back = 1; back < MONTHS; back++) {
          await client.query('SELECT audit_event_create_partition($1::date)', [
            monthAt(back).toISOString().slice(0, 10),
          ]);
        }
        let at = monthAt(MONTHS - 1);
        for (let start = 0; start < RECORDS; start += BATCH) {
          at = monthAt(MONTHS - 1 - Math.floor((start * MONTHS) / RECORDS));
          const records: AuditRecord[] = [];
          for (let i = start; i < Math.min(RECORDS, start + BATCH); i++) {
            const record = chainRecord(
              prev,
              {
                kind: i % 2 === 0 ? 'exchange.intent' : 'exchange.outcome',
                organisation: 'mess',
                citizen: `bench-citizen-${i % 50_000}`,
                product: 'saaq.adresse',
                purpose: 'mess.aide-sociale',
                decision: i % 2 === 0 ? undefined : 'allow',
                correlationId: randomBytes(16).toString('hex'),
                details: { exchangeId: `ex-${i}`, fields: ['streetNumber', 'street', 'municipality'] },
              },
              at,
              pseudonymKey,
            );
            records.push(record);
            prev = { seq: record.seq, hash: record.recordHash };
            if (record.seq % CHECKPOINT_EVERY === 0) {
              await writeCheckpoint(
                checkpointDir,
                { seq: record.seq, headHash: record.recordHash, at: at.toISOString() },
                key,
              );
            }
          }
          await client.query(
            `INSERT INTO audit_event (seq, recorded_at, kind, organisation, citizen_pseudonym, product, purpose, decision,
               correlation_id, payload, prev_hash, record_hash, canonical)
             SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
               $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[])`,
            [
              records.map((r) => r.seq),
              records.map(() => at),
              records.map((r) => r.payload.kind),
              records.map((r) => r.payload.organisation ?? null),
              records.map((r) => r.payload.citizen ?? null),
              records.map((r) => r.payload.product ?? null),
              records.map((r) => r.payload.purpose ?? null),
              records.map((r) => r.payload.decision ?? null),
              records.map((r) => r.payload.correlationId ?? null),
              records.map((r) => r.canonical),
              records.map((r) => r.prevHash),
              records.map((r) => r.recordHash),
              records.map((r) => r.canonical),
            ],
          );
        }
        // As the sequencer signs the head of its last batch, here at a clean stop: `audit verify` finds it covered.
        const signedHead = {
          seq: prev.seq,
          jws: signHead({ seq: prev.seq, headHash: prev.hash, at: at.toISOString(), state: 'stopped' }, key),
        };
        await writeHead(checkpointDir, signedHead.jws);
        const built = Number(process.hrtime.bigint() - building) / 1e9;
        process.stdout.write(
          `${RECORDS.toLocaleString('en-CA')} records and checkpoints written in ${built.toFixed(1)} s\n`,
        );
        await client.query('VACUUM ANALYZE audit_event');
        // As `audit verify` reads it: one connection per segment.
        const pool = new Pool({ connectionString: url, max: SEGMENTS ?? VERIFY_SEGMENTS });
        const report = await verifyAuditLog(
          async (text, values) => (await pool.query<AuditRow>(text, values)).rows,
          checkpointDir,
          jwks,
          { segments: SEGMENTS },
        ).finally(() => pool.end());
        const csv = await exportCsv(client);
        const exportFile = join(exportDir, 'audit.jsonl');
        const jsonl = await exportJsonl(client, exportFile, signedHead);
        const verifiedExport = await verifyExportFile(exportFile, checkpointDir, jwks);
        return {
          records: RECORDS,
          buildSeconds: built,
          ...report,
          recordsPerSecond: Math.round(report.verified / report.seconds),
          csv,
          jsonl,
          verifyExport: verifiedExport,
        };
      } finally {
        await client.end();
      }
    } finally {
      rmSync(checkpointDir, { recursive: true, force: true });
      rmSync(exportDir, { recursive: true, force: true });
    }
  });

  process.stdout.write(
    `audit verify: ${verdict(result.outcome, result.failure)}, ${result.verified.toLocaleString('en-CA')} records and ` +
      `${result.checkpoints} checkpoints in ${result.seconds.toFixed(2)} s = ${result.recordsPerSecond.toLocaleString('en-CA')} records/s\n`,
  );
  process.stdout.write(
    `audit export: ${result.csv.rows.toLocaleString('en-CA')} CSV rows (${(result.csv.bytes / 1e6).toFixed(0)} MB) in ` +
      `${result.csv.seconds.toFixed(2)} s through a slow reader; RSS ${result.csv.rssBeforeMb} MB before, ` +
      `${result.csv.rssPeakMb} MB at most; heap ${result.csv.heapBeforeMb} MB before, ${result.csv.heapPeakMb} MB at most\n`,
  );
  const exported = result.verifyExport;
  process.stdout.write(
    `audit verify-export: ${verdict(exported.outcome, exported.failure)}, ${exported.verified.toLocaleString('en-CA')} records and ` +
      `${exported.checkpoints} checkpoints in ${exported.totalSeconds.toFixed(2)} s = ${exported.recordsPerSecond.toLocaleString('en-CA')} records/s ` +
      `(JSONL export: ${(result.jsonl.bytes / 1e6).toFixed(0)} MB written in ${result.jsonl.seconds.toFixed(2)} s)\n`,
  );
  const file = writeResult('audit-verify', { node: process.version, ...result });
  process.stdout.write(`written to ${file}\n`);
  if (!result.ok || exported.outcome !== 'intact') process.exitCode = 1;
}

function verdict(outcome: VerifyOutcome, failure: { seq: number } | undefined): string {
  switch (outcome) {
    case 'intact':
      return 'OK';
    case 'broken':
      return `BROKEN at ${String(failure?.seq)}`;
    case 'unverifiable':
      return 'UNVERIFIABLE';
  }
}

/** Writes the verifiable export up to the signed head, as `audit export --format jsonl` does. */
async function exportJsonl(
  client: Client,
  file: string,
  signedHead: { seq: number; jws: string },
): Promise<{ bytes: number; seconds: number }> {
  const started = process.hrtime.bigint();
  const lines = jsonlLines(
    async (after, upTo, size) =>
      (
        await client.query<ExportRow>(
          'SELECT seq, prev_hash, record_hash, canonical FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3',
          [after, upTo, size],
        )
      ).rows,
    signedHead,
  );
  await pipeline(Readable.from(lines), createWriteStream(file));
  return { bytes: statSync(file).size, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * Times `audit verify-export` as a third party runs it, with no database: the
 * checkpoints read and their signatures checked, then the file line by line.
 */
async function verifyExportFile(
  file: string,
  checkpointDir: string,
  jwks: JSONWebKeySet,
): Promise<ExportReport & { totalSeconds: number; recordsPerSecond: number }> {
  const started = process.hrtime.bigint();
  const { checkpoints, invalid } = await readCheckpoints(checkpointDir, jwks);
  if (invalid.length > 0) throw new Error(`checkpoint signature invalid: ${invalid[0]}`);
  const input = createReadStream(file, { encoding: 'utf8' });
  const report = await verifyExport(createInterface({ input, crlfDelay: Infinity }), jwks, checkpoints);
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ...report, totalSeconds, recordsPerSecond: Math.round(report.verified / totalSeconds) };
}

/**
 * Streams the whole log out as CSV, as `audit export` and the officer's export
 * do, into a reader that drains slowly: memory must stay flat, the pages
 * waiting for the reader rather than piling up.
 */
async function exportCsv(client: Client): Promise<Record<string, number>> {
  global.gc?.();
  const mb = (bytes: number): number => Math.round(bytes / 1e6);
  const before = process.memoryUsage();
  let rssPeak = before.rss;
  let heapPeak = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    rssPeak = Math.max(rssPeak, now.rss);
    heapPeak = Math.max(heapPeak, now.heapUsed);
  }, 20);
  const started = process.hrtime.bigint();
  let bytes = 0;
  let rows = -1;
  const lines = csvLines(
    async (after, size) =>
      (
        await client.query<{ seq: string; payload: AuditPayload }>(
          'SELECT seq, payload FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT $2',
          [after, size],
        )
      ).rows,
  );
  await pipeline(
    Readable.from(lines),
    new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
        // A reader slower than the database: the stream must wait for it.
        setImmediate(callback);
      },
    }),
  );
  clearInterval(sampler);
  return {
    rows,
    bytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    rssBeforeMb: mb(before.rss),
    rssPeakMb: mb(rssPeak),
    heapBeforeMb: mb(before.heapUsed),
    heapPeakMb: mb(heapPeak),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
