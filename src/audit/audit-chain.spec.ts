import { createHmac } from 'node:crypto';
import {
  ChainVerifier,
  chainRecord,
  chainRecords,
  GENESIS_HASH,
  hashCanonical,
  pseudonymise,
  recordHash,
  type AuditRecord,
  type StoredRow,
} from './audit-chain';

const KEY = Buffer.alloc(32, 7);
const AT = new Date('2026-11-23T12:00:00.000Z');

function chain(length: number): (AuditRecord & StoredRow)[] {
  const rows: (AuditRecord & StoredRow)[] = [];
  let prev = { seq: 0, hash: GENESIS_HASH };
  for (let i = 0; i < length; i++) {
    const record = chainRecord(
      prev,
      { kind: 'exchange.outcome', organisation: 'afe', citizen: 'demo-citizen-1', decision: 'allow' },
      AT,
      KEY,
    );
    rows.push({ ...record, consistent: true });
    prev = { seq: record.seq, hash: record.recordHash };
  }
  return rows;
}

describe('the audit chain', () => {
  it('numbers from the previous record and links to its hash', () => {
    const [first, second] = chain(2);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prevHash: first.recordHash });
  });

  it('hashes the canonical form: the order of members does not matter, their values do', () => {
    const [row] = chain(1);
    const reordered = Object.fromEntries(Object.entries(row.payload).reverse()) as typeof row.payload;
    expect(recordHash(GENESIS_HASH, 1, reordered)).toBe(row.recordHash);
    expect(recordHash(GENESIS_HASH, 1, { ...row.payload, decision: 'deny' })).not.toBe(row.recordHash);
    expect(recordHash(GENESIS_HASH, 2, row.payload)).not.toBe(row.recordHash);
  });

  it('stores a stable pseudonym, never the pivot id', () => {
    const [row] = chain(1);
    expect(row.payload.citizen).toBe(pseudonymise(KEY, 'demo-citizen-1'));
    expect(JSON.stringify(row)).not.toContain('demo-citizen-1');
    expect(pseudonymise(Buffer.alloc(32, 8), 'demo-citizen-1')).not.toBe(row.payload.citizen);
  });

  it('gives each key’s HMAC of the pivot id, whether it is kept at hand or has been let go', () => {
    const hmac = (key: Buffer, id: string): string => createHmac('sha256', key).update(id, 'utf8').digest('hex');
    const other = Buffer.alloc(32, 9);
    expect(pseudonymise(KEY, 'citizen-0')).toBe(hmac(KEY, 'citizen-0'));
    expect(pseudonymise(other, 'citizen-0')).toBe(hmac(other, 'citizen-0'));
    // More citizens than are kept at hand: the first is let go, and computed again, the same.
    for (let i = 1; i <= 10_001; i++) pseudonymise(KEY, `citizen-${i}`);
    expect(pseudonymise(KEY, 'citizen-0')).toBe(hmac(KEY, 'citizen-0'));
    expect(pseudonymise(KEY, 'citizen-10001')).toBe(hmac(KEY, 'citizen-10001'));
    expect(pseudonymise(other, 'citizen-0')).toBe(hmac(other, 'citizen-0'));
  });

  it('verifies an intact chain and its checkpoints', () => {
    const rows = chain(5);
    const verifier = new ChainVerifier(new Set([3, 5]));
    for (const row of rows) expect(verifier.push(row)).toBeUndefined();
    expect(
      verifier.finish([
        { seq: 3, headHash: rows[2].recordHash, at: '' },
        { seq: 5, headHash: rows[4].recordHash, at: '' },
      ]),
    ).toBeUndefined();
    expect(verifier.verified).toBe(5);
  });

  it('refuses a row the database found inconsistent with its hashed text', () => {
    const [row] = chain(1);
    expect(new ChainVerifier().push({ ...row, consistent: false })).toEqual({
      seq: 1,
      reason: 'columns differ from the hashed record',
    });
    expect(new ChainVerifier().push({ ...row, canonical: row.canonical.replace('allow', 'deny') })).toEqual({
      seq: 1,
      reason: 'record_hash does not match the record',
    });
  });

  it('names the first bad seq', () => {
    const rows = chain(4);
    const verifier = new ChainVerifier();
    expect(verifier.push(rows[0])).toBeUndefined();
    expect(verifier.push(rows[2])).toEqual({ seq: 2, reason: 'missing record' });
  });

  it('refuses a chain shorter than a checkpoint vouches for', () => {
    const rows = chain(2);
    const verifier = new ChainVerifier(new Set([3]));
    rows.forEach((row) => verifier.push(row));
    expect(verifier.finish([{ seq: 3, headHash: 'x', at: '' }])).toEqual({
      seq: 3,
      reason: 'truncated: a checkpoint vouches for seq 3',
    });
  });

  it('joins segments verified apart into the chain verified whole', () => {
    const rows = chain(6);
    const first = new ChainVerifier(new Set([2, 5]));
    const second = new ChainVerifier(new Set([2, 5]), { seq: 4, prevHash: null });
    rows.slice(0, 3).forEach((row) => expect(first.push(row)).toBeUndefined());
    rows.slice(3).forEach((row) => expect(second.push(row)).toBeUndefined());
    expect(first.reaches(3)).toBeUndefined();
    expect(first.follow(second)).toBeUndefined();
    expect(first.head).toEqual({ seq: 6, hash: rows[5].recordHash });
    expect(first.verified).toBe(6);
    expect(
      first.finish([
        { seq: 2, headHash: rows[1].recordHash, at: '' },
        { seq: 5, headHash: rows[4].recordHash, at: '' },
      ]),
    ).toBeUndefined();
  });

  it('refuses a segment that stops short, or does not follow the one before', () => {
    const rows = chain(6);
    const short = new ChainVerifier();
    rows.slice(0, 2).forEach((row) => short.push(row));
    expect(short.reaches(3)).toEqual({ seq: 3, reason: 'missing record' });

    const first = new ChainVerifier();
    rows.slice(0, 3).forEach((row) => first.push(row));
    const relinked = new ChainVerifier(new Set(), { seq: 4, prevHash: null });
    const forged = { ...rows[3], prevHash: 'f'.repeat(64) };
    forged.recordHash = hashCanonical(forged.prevHash, forged.seq, forged.canonical);
    expect(relinked.push(forged)).toBeUndefined();
    expect(first.follow(relinked)).toEqual({ seq: 4, reason: 'prev_hash does not follow' });

    const late = new ChainVerifier(new Set(), { seq: 5, prevHash: null });
    late.push(rows[4]);
    expect(first.follow(late)).toEqual({ seq: 4, reason: 'missing record' });
  });

  it('chains a batch one record after another on the head, and ends on the last', () => {
    const entries = [1, 2, 3].map((n) => ({ kind: 'exchange.intent', correlationId: `c-${n}` }));
    const { records, head } = chainRecords({ seq: 0, hash: GENESIS_HASH }, entries, AT, KEY);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records.map((r) => r.prevHash)).toEqual([GENESIS_HASH, records[0].recordHash, records[1].recordHash]);
    expect(head).toEqual({ seq: 3, hash: records[2].recordHash });
    // The same records as chained one at a time.
    expect(records[1]).toEqual(chainRecord({ seq: 1, hash: records[0].recordHash }, entries[1], AT, KEY));
  });
});
