import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { ensureDevSigningKey, loadSigningKey, type SigningKey } from '../platform/signing/signing-key';
import { chainRecord, GENESIS_HASH, hashCanonical, type AuditRecord, type Checkpoint } from './audit-chain';
import { jsonlLines, verifyExport, type ExportRecord, type ExportRow } from './audit-jsonl';
import { signHead } from './signed-head';

const PSEUDONYM_KEY = Buffer.alloc(32, 7);
const AT = new Date('2026-11-23T12:00:00.000Z');

function chain(length: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = { seq: 0, hash: GENESIS_HASH };
  for (let i = 0; i < length; i++) {
    const record = chainRecord(
      prev,
      { kind: 'exchange.outcome', organisation: 'afe', citizen: `demo-citizen-${i % 3}`, decision: 'allow' },
      AT,
      PSEUDONYM_KEY,
    );
    records.push(record);
    prev = { seq: record.seq, hash: record.recordHash };
  }
  return records;
}

/** The rows as the database returns them (bigint seq as a string), paged as the export's query pages them. */
function fetchFrom(records: readonly AuditRecord[]) {
  const rows: ExportRow[] = records.map((r) => ({
    seq: String(r.seq),
    prev_hash: r.prevHash,
    record_hash: r.recordHash,
    canonical: r.canonical,
  }));
  return (after: number, upTo: number, size: number): Promise<ExportRow[]> =>
    Promise.resolve(rows.filter((row) => Number(row.seq) > after && Number(row.seq) <= upTo).slice(0, size));
}

/** The export's lines, as a reader of the file (readline) would hand them over: no newline, none empty. */
async function exportLines(
  records: readonly AuditRecord[],
  signedHead: { seq: number; jws: string },
): Promise<string[]> {
  let text = '';
  for await (const chunk of jsonlLines(fetchFrom(records), signedHead)) text += chunk;
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

async function* lines(items: readonly string[]): AsyncGenerator<string> {
  for (const item of items) yield await Promise.resolve(item);
}

const withRecord = (line: string, change: (record: ExportRecord) => ExportRecord): string =>
  JSON.stringify(change(JSON.parse(line) as ExportRecord));

describe('the JSONL export and its verifier', () => {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-jsonl-'));
  const RECORDS = chain(12);
  const LAST = RECORDS[RECORDS.length - 1];
  let key: SigningKey;
  let other: SigningKey;
  let keys: JSONWebKeySet;
  let headJws: string;
  let exported: string[];

  const headOf = (record: AuditRecord, signer: SigningKey = key): string =>
    signHead({ seq: record.seq, headHash: record.recordHash, at: AT.toISOString(), state: 'appending' }, signer);
  const checkpointAt = (record: AuditRecord, headHash = record.recordHash): Checkpoint => ({
    seq: record.seq,
    headHash,
    at: AT.toISOString(),
  });

  beforeAll(async () => {
    await ensureDevSigningKey(join(dir, 'signing.pem'));
    await ensureDevSigningKey(join(dir, 'other.pem'));
    key = await loadSigningKey(join(dir, 'signing.pem'));
    other = await loadSigningKey(join(dir, 'other.pem'));
    keys = { keys: [key.publicJwk] };
    headJws = headOf(LAST);
    exported = await exportLines(RECORDS, { seq: LAST.seq, jws: headJws });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries each record with its seq, hashes and hashed text, then the signed head', () => {
    expect(exported).toHaveLength(RECORDS.length + 1);
    expect(JSON.parse(exported[0])).toEqual({
      seq: 1,
      prevHash: GENESIS_HASH,
      recordHash: RECORDS[0].recordHash,
      canonical: RECORDS[0].canonical,
    });
    expect(JSON.parse(exported[RECORDS.length])).toEqual({ signedHead: headJws });
    // The pivot id never leaves: only its pseudonym is in the hashed text.
    expect(exported.join('\n')).not.toContain('demo-citizen-');
  });

  it('verifies intact with the public keys alone, checkpoints included', async () => {
    const report = await verifyExport(lines(exported), keys, [checkpointAt(RECORDS[3]), checkpointAt(RECORDS[7])]);
    expect(report).toMatchObject({
      outcome: 'intact',
      verified: RECORDS.length,
      head: { seq: LAST.seq, hash: LAST.recordHash },
      checkpoints: 2,
    });
    expect(report.failure).toBeUndefined();
    expect(report.unverified).toBeUndefined();
  });

  it('ends at the signed head, not at records appended while it streamed', async () => {
    const signedAt = RECORDS[9];
    const upToHead = await exportLines(RECORDS, { seq: signedAt.seq, jws: headOf(signedAt) });
    expect(upToHead).toHaveLength(signedAt.seq + 1);
    await expect(verifyExport(lines(upToHead), keys, [])).resolves.toMatchObject({
      outcome: 'intact',
      head: { seq: signedAt.seq },
    });
  });

  it('pages through a log longer than one page', async () => {
    const long = chain(5_003);
    const last = long[long.length - 1];
    const all = await exportLines(long, { seq: last.seq, jws: headOf(last) });
    expect(all).toHaveLength(long.length + 1);
    await expect(verifyExport(lines(all), keys, [])).resolves.toMatchObject({ outcome: 'intact', verified: 5_003 });
  });

  it('verifies an empty log signed at the genesis head', async () => {
    const empty = await exportLines([], {
      seq: 0,
      jws: signHead({ seq: 0, headHash: GENESIS_HASH, at: AT.toISOString(), state: 'appending' }, key),
    });
    await expect(verifyExport(lines(empty), keys, [])).resolves.toMatchObject({ outcome: 'intact', verified: 0 });
  });

  it('finds an edited record at its seq', async () => {
    const edited = [...exported];
    edited[4] = withRecord(edited[4], (r) => ({ ...r, canonical: r.canonical.replace('allow', 'deny') }));
    await expect(verifyExport(lines(edited), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 5, reason: 'record_hash does not match the record' },
    });
  });

  it('finds an edit re-chained to the end (without the key) at the signed head', async () => {
    const forged = [...exported];
    let prevHash = RECORDS[3].recordHash;
    for (let i = 4; i < RECORDS.length; i++) {
      forged[i] = withRecord(forged[i], (r) => {
        const canonical = i === 4 ? r.canonical.replace('allow', 'deny') : r.canonical;
        const recordHash = hashCanonical(prevHash, r.seq, canonical);
        const next = { ...r, prevHash, canonical, recordHash };
        prevHash = recordHash;
        return next;
      });
    }
    // Every link holds: only the signature over the head tells.
    await expect(verifyExport(lines(forged), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      verified: RECORDS.length,
      failure: { seq: LAST.seq, reason: `differs from the signed head (seq ${LAST.seq})` },
    });
    // A checkpoint past the edit tells too, and earlier.
    await expect(verifyExport(lines(forged), keys, [checkpointAt(RECORDS[7])])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 8, reason: 'differs from the signed checkpoint' },
    });
  });

  it('finds a dropped record in the middle', async () => {
    const dropped = exported.filter((_, i) => i !== 5);
    await expect(verifyExport(lines(dropped), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 6, reason: 'missing record' },
    });
  });

  it('finds the last record dropped with the signed head kept', async () => {
    const truncated = [...exported.slice(0, RECORDS.length - 1), exported[RECORDS.length]];
    await expect(verifyExport(lines(truncated), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: LAST.seq, reason: `differs from the signed head (seq ${LAST.seq})` },
    });
  });

  it('finds records added past the signed head', async () => {
    const signedAt = RECORDS[9];
    const extended = [...exported.slice(0, RECORDS.length), JSON.stringify({ signedHead: headOf(signedAt) })];
    await expect(verifyExport(lines(extended), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { reason: `differs from the signed head (seq ${signedAt.seq})` },
    });
  });

  it('cannot vouch for an export without its signed head: unverifiable, not intact', async () => {
    const report = await verifyExport(lines(exported.slice(0, RECORDS.length)), keys, []);
    expect(report).toMatchObject({ outcome: 'unverifiable', verified: RECORDS.length });
    expect(report.failure).toBeUndefined();
    expect(report.unverified).toContain('no signed head');
  });

  it('refuses a signed head from another key', async () => {
    const foreign = [...exported.slice(0, RECORDS.length), JSON.stringify({ signedHead: headOf(LAST, other) })];
    await expect(verifyExport(lines(foreign), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: LAST.seq, reason: 'the signed head does not verify' },
    });
  });

  it('ignores a checkpoint past its end, and finds one inside it that disagrees', async () => {
    const later: Checkpoint = { seq: LAST.seq + 100, headHash: 'f'.repeat(64), at: AT.toISOString() };
    await expect(verifyExport(lines(exported), keys, [later])).resolves.toMatchObject({
      outcome: 'intact',
      checkpoints: 0,
    });
    await expect(
      verifyExport(lines(exported), keys, [later, checkpointAt(RECORDS[3], 'f'.repeat(64))]),
    ).resolves.toMatchObject({ outcome: 'broken', failure: { seq: 4, reason: 'differs from the signed checkpoint' } });
  });

  it.each<[string, string]>([
    ['not JSON', 'garbage'],
    ['JSON, not a record', '{"seq":"5"}'],
    ['a bare value', '5'],
  ])('refuses a line that is %s', async (_what, line) => {
    const garbled = [...exported.slice(0, 3), line, ...exported.slice(3)];
    await expect(verifyExport(lines(garbled), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 4, reason: 'line 4 is not a record of the export' },
    });
  });

  it('refuses anything after the signed head', async () => {
    await expect(verifyExport(lines([...exported, exported[0]]), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { reason: `line ${exported.length + 1} follows the signed head` },
    });
  });
});
