/**
 * `npm run bench:audit`: builds an audit log of 1,000,000 chained records
 * (the gateway's own hashing, inserted in batches), signs checkpoints as the
 * sequencer would, then runs the offline verifier over it and reports
 * records/s. PostgreSQL comes from DATABASE_URL, or a throw-away embedded
 * cluster.
 */
import { KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';
import { Client, Pool } from 'pg';
import { chainRecord, GENESIS_HASH, type AuditPayload, type AuditRecord } from '../src/audit/audit-chain';
import { csvLines } from '../src/audit/audit-csv';
import { VERIFY_SEGMENTS, verifyAuditLog, type AuditRow } from '../src/audit/audit-verify';
import { writeCheckpoint } from '../src/audit/checkpoints';
import { withMigratedDatabase, writeResult } from './bench-postgres';

const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
const SEGMENTS = process.env.BENCH_AUDIT_SEGMENTS === undefined ? undefined : Number(process.env.BENCH_AUDIT_SEGMENTS);
const BATCH = 10_000;
const CHECKPOINT_EVERY = 1_000;

async function main(): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const key = { kid, privateKey, signer: KeyObject.from(privateKey), publicJwk: { ...publicJwk, kid, alg: 'ES256' } };
  const checkpointDir = mkdtempSync(join(tmpdir(), 'passerelle-bench-checkpoints-'));
  const pseudonymKey = randomBytes(32);

  const result = await withMigratedDatabase(async (url) => {
    try {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('SET synchronous_commit = off');
        const building = process.hrtime.bigint();
        let prev = { seq: 0, hash: GENESIS_HASH };
        const at = new Date();
        for (let start = 0; start < RECORDS; start += BATCH) {
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
          key.publicJwk,
          { segments: SEGMENTS },
        ).finally(() => pool.end());
        const csv = await exportCsv(client);
        return {
          records: RECORDS,
          buildSeconds: built,
          ...report,
          recordsPerSecond: Math.round(report.verified / report.seconds),
          csv,
        };
      } finally {
        await client.end();
      }
    } finally {
      rmSync(checkpointDir, { recursive: true, force: true });
    }
  });

  process.stdout.write(
    `audit verify: ${result.ok ? 'OK' : `BROKEN at ${String(result.failure?.seq)}`}, ${result.verified.toLocaleString('en-CA')} records and ` +
      `${result.checkpoints} checkpoints in ${result.seconds.toFixed(2)} s = ${result.recordsPerSecond.toLocaleString('en-CA')} records/s\n`,
  );
  process.stdout.write(
    `audit export: ${result.csv.rows.toLocaleString('en-CA')} CSV rows (${(result.csv.bytes / 1e6).toFixed(0)} MB) in ` +
      `${result.csv.seconds.toFixed(2)} s through a slow reader; RSS ${result.csv.rssBeforeMb} MB before, ` +
      `${result.csv.rssPeakMb} MB at most; heap ${result.csv.heapBeforeMb} MB before, ${result.csv.heapPeakMb} MB at most\n`,
  );
  const file = writeResult('audit-verify', { node: process.version, ...result });
  process.stdout.write(`written to ${file}\n`);
  if (!result.ok) process.exitCode = 1;
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
