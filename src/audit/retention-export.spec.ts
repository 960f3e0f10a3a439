import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { ensureDevSigningKey, loadSigningKey, type SigningKey } from '../platform/signing/signing-key';
import { chainRecord, GENESIS_HASH, type AuditRecord, type Checkpoint } from './audit-chain';
import { jsonlLines, verifyExport, type ExportRow } from './audit-jsonl';
import { retainedBefore, signRetention, verifyRetention, type RetentionStatement } from './retention-statement';
import { signHead } from './signed-head';

const AT = new Date('2026-01-15T12:00:00.000Z');

function chain(length: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = { seq: 0, hash: GENESIS_HASH };
  for (let i = 0; i < length; i++) {
    const record = chainRecord(prev, { kind: 'probe', decision: 'allow' }, AT, Buffer.alloc(32, 3));
    records.push(record);
    prev = { seq: record.seq, hash: record.recordHash };
  }
  return records;
}

const RECORDS = chain(15);
const rec = (seq: number): AuditRecord => RECORDS[seq - 1];

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

async function* linesOf(items: readonly string[]): AsyncGenerator<string> {
  for (const item of items) yield await Promise.resolve(item);
}

describe('retention statements and the exports of the months they vouch for', () => {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-retention-'));
  let key: SigningKey;
  let other: SigningKey;
  let keys: JSONWebKeySet;

  /** The statement of the month `from`..`to`. */
  const statementOf = (from: number, to: number): RetentionStatement => ({
    seq: to,
    headHash: rec(to).recordHash,
    from,
    fromPrevHash: rec(from).prevHash,
    partition: 'audit_event_2026_01',
    at: AT.toISOString(),
  });
  /** The month's export as `audit retention` writes it. */
  const monthExport = async (from: number, to: number, signer: SigningKey = key): Promise<string[]> => {
    let text = '';
    const anchor = from === 1 ? undefined : signRetention(statementOf(1, from - 1), signer);
    const jws = signRetention(statementOf(from, to), signer);
    const lines = jsonlLines(
      fetchFrom(RECORDS),
      { seq: to, jws },
      { after: from - 1, retainedFrom: () => Promise.resolve(anchor), trailer: 'retained' },
    );
    for await (const chunk of lines) text += chunk;
    return text.trim().split('\n');
  };

  beforeAll(async () => {
    await ensureDevSigningKey(join(dir, 'signing.pem'));
    await ensureDevSigningKey(join(dir, 'other.pem'));
    key = await loadSigningKey(join(dir, 'signing.pem'));
    other = await loadSigningKey(join(dir, 'other.pem'));
    keys = { keys: [key.publicJwk] };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs a statement that verifies with the public key only, and with no other key or type', async () => {
    const statement = statementOf(1, 5);
    await expect(verifyRetention(signRetention(statement, key), keys)).resolves.toEqual(statement);
    await expect(verifyRetention(signRetention(statement, other), keys)).resolves.toBeUndefined();
    // A signed head is not a retention statement, even over the same seq and hash.
    const head = signHead({ seq: 5, headHash: rec(5).recordHash, at: AT.toISOString(), state: 'appending' }, key);
    await expect(verifyRetention(head, keys)).resolves.toBeUndefined();
    await expect(verifyRetention(signRetention({ ...statement, from: 6 }, key), keys)).resolves.toBeUndefined();
  });

  it('starts a verifier after the newest statement below the first stored record', () => {
    const statements = [{ seq: 5 }, { seq: 10 }, { seq: 15 }];
    expect(retainedBefore(statements, 11)).toEqual({ seq: 10 });
    expect(retainedBefore(statements, 13)).toEqual({ seq: 10 });
    expect(retainedBefore(statements, 10)).toEqual({ seq: 5 });
    expect(retainedBefore(statements, 5)).toBeUndefined();
    expect(retainedBefore([], 1)).toBeUndefined();
  });

  it('writes the first month from the genesis, and a later one opening with the statement before it', async () => {
    const first = await monthExport(1, 5);
    expect(first.map((line) => Object.keys(JSON.parse(line) as object)[0])).toEqual([
      'seq',
      'seq',
      'seq',
      'seq',
      'seq',
      'retained',
    ]);
    const later = await monthExport(6, 10);
    expect(Object.keys(JSON.parse(later[0]) as object)).toEqual(['retainedFrom']);
    expect(JSON.parse(later[1])).toMatchObject({ seq: 6, prevHash: rec(5).recordHash });
    expect(later).toHaveLength(7);
  });

  it('verifies each month on its own, with the checkpoints inside it and none of those outside', async () => {
    const checkpoints: Checkpoint[] = [3, 8, 12].map((seq) => ({ seq, headHash: rec(seq).recordHash, at: '' }));
    await expect(verifyExport(linesOf(await monthExport(1, 5)), keys, checkpoints)).resolves.toMatchObject({
      outcome: 'intact',
      from: 1,
      verified: 5,
      head: { seq: 5, hash: rec(5).recordHash },
      checkpoints: 1,
    });
    await expect(verifyExport(linesOf(await monthExport(6, 10)), keys, checkpoints)).resolves.toMatchObject({
      outcome: 'intact',
      from: 6,
      verified: 5,
      checkpoints: 1,
    });
  });

  it('finds a statement that disagrees with a checkpoint at its seq', async () => {
    const wrong: Checkpoint = { seq: 5, headHash: 'f'.repeat(64), at: '' };
    await expect(verifyExport(linesOf(await monthExport(6, 10)), keys, [wrong])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 5, reason: 'the retention statement differs from the signed checkpoint' },
    });
  });

  it('refuses an opening statement signed by another key, or anywhere but on the first line', async () => {
    const foreign = await monthExport(6, 10, other);
    await expect(verifyExport(linesOf(foreign), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 1, reason: 'line 1: the retention statement it starts from does not hold' },
    });
    // After the first record: it would restart the chain from a hash of its choosing.
    const lines = await monthExport(1, 5);
    const restart = JSON.stringify({ retainedFrom: signRetention(statementOf(1, 1), key) });
    const moved = [lines[0], restart, ...lines.slice(1)];
    await expect(verifyExport(linesOf(moved), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 2, reason: 'line 2: the retention statement it starts from does not hold' },
    });
  });

  it('refuses a month cut short at either end, or ending at a statement of another range', async () => {
    const lines = await monthExport(6, 10);
    const shortTail = [...lines.slice(0, -2), lines[lines.length - 1]];
    await expect(verifyExport(linesOf(shortTail), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 10, reason: 'differs from the retention statement (seq 10)' },
    });
    // Anchored at seq 7 (a statement for 7 exists), missing seq 6 that its own statement says it starts with.
    const anchoredLater = [JSON.stringify({ retainedFrom: signRetention(statementOf(1, 7), key) }), ...lines.slice(3)];
    await expect(verifyExport(linesOf(anchoredLater), keys, [])).resolves.toMatchObject({
      outcome: 'broken',
      failure: { seq: 8, reason: 'does not start where its retention statement does (seq 6)' },
    });
  });

  it('ends the whole log at its signed head, opening with the statement of the months taken out', async () => {
    let text = '';
    const anchor = signRetention(statementOf(1, 10), key);
    const head = { seq: 15, jws: signHead({ seq: 15, headHash: rec(15).recordHash, at: '', state: 'appending' }, key) };
    const stored = RECORDS.slice(10);
    for await (const chunk of jsonlLines(fetchFrom(stored), head, { retainedFrom: () => Promise.resolve(anchor) })) {
      text += chunk;
    }
    const lines = text.trim().split('\n');
    expect(JSON.parse(lines[0])).toEqual({ retainedFrom: anchor });
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ signedHead: head.jws });
    await expect(verifyExport(linesOf(lines), keys, [])).resolves.toMatchObject({
      outcome: 'intact',
      from: 11,
      verified: 5,
    });
  });
});
