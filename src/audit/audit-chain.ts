import { createHmac, hash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a caller records. `citizen` is a pivot id: it is pseudonymised before anything is stored. */
export interface AuditEntry {
  kind: string;
  organisation?: string;
  citizen?: string;
  product?: string;
  purpose?: string;
  decision?: string;
  reason?: string;
  correlationId?: string;
  details?: Record<string, unknown>;
}

/** The record as hashed and stored: the entry, numbered and dated, its `citizen` now a pseudonym. */
export interface AuditPayload extends AuditEntry {
  seq: number;
  recordedAt: string;
}

export interface AuditRecord {
  seq: number;
  payload: AuditPayload;
  /** The RFC 8785 canonical JSON of the payload: the text that was hashed, stored as it is. */
  canonical: string;
  prevHash: string;
  recordHash: string;
}

/** How many pseudonyms each key keeps at hand: a citizen's records come in runs (intent, outcome, the next exchange). */
const RECENT_PSEUDONYMS = 10_000;
const recentPseudonyms = new WeakMap<Buffer, Map<string, string>>();

/**
 * HMAC-SHA-256 of a pivot id: the same citizen always maps to the same
 * pseudonym, and nobody without the key can invert it. The recent ones are
 * kept by key (the oldest goes first), since a pseudonym never changes.
 */
export function pseudonymise(key: Buffer, pivotId: string): string {
  let recent = recentPseudonyms.get(key);
  if (recent === undefined) recentPseudonyms.set(key, (recent = new Map<string, string>()));
  let pseudonym = recent.get(pivotId);
  if (pseudonym === undefined) {
    pseudonym = createHmac('sha256', key).update(pivotId, 'utf8').digest('hex');
    if (recent.size >= RECENT_PSEUDONYMS) recent.delete(recent.keys().next().value as string);
    recent.set(pivotId, pseudonym);
  }
  return pseudonym;
}

/** The RFC 8785 canonical JSON of a payload. */
export function canonicalOf(payload: AuditPayload): string {
  return canonicalize(payload) ?? '';
}

/** SHA-256 over the previous hash, the seq and the canonical JSON of the record (one-shot: no Hash object per record). */
export function hashCanonical(prevHash: string, seq: number, canonical: string): string {
  return hash('sha256', `${prevHash}\n${seq}\n${canonical}`, 'hex');
}

export function recordHash(prevHash: string, seq: number, payload: AuditPayload): string {
  return hashCanonical(prevHash, seq, canonicalOf(payload));
}

/** Builds the next record of the chain. Pure apart from the hash. */
export function chainRecord(
  prev: { seq: number; hash: string },
  entry: AuditEntry,
  recordedAt: Date,
  pseudonymKey: Buffer,
): AuditRecord {
  const seq = prev.seq + 1;
  const payload: AuditPayload = { seq, recordedAt: recordedAt.toISOString(), kind: entry.kind };
  // Members left undefined are left out, so that the canonical form is the same whoever builds it.
  for (const name of ['organisation', 'product', 'purpose', 'decision', 'reason', 'correlationId'] as const) {
    const value = entry[name];
    if (value !== undefined) payload[name] = value;
  }
  if (entry.citizen !== undefined) payload.citizen = pseudonymise(pseudonymKey, entry.citizen);
  if (entry.details !== undefined) payload.details = entry.details;
  const canonical = canonicalOf(payload);
  return { seq, payload, canonical, prevHash: prev.hash, recordHash: hashCanonical(prev.hash, seq, canonical) };
}

/** `entries` chained one after the other on `head`, all recorded at `recordedAt`; and the head they end on. */
export function chainRecords(
  head: { seq: number; hash: string },
  entries: AuditEntry[],
  recordedAt: Date,
  pseudonymKey: Buffer,
): { records: AuditRecord[]; head: { seq: number; hash: string } } {
  let prev = head;
  const records = entries.map((entry) => {
    const record = chainRecord(prev, entry, recordedAt, pseudonymKey);
    prev = { seq: record.seq, hash: record.recordHash };
    return record;
  });
  return { records, head: prev };
}

/** A signed statement that the chain's head was `headHash` at `seq`. */
export interface Checkpoint {
  seq: number;
  headHash: string;
  at: string;
  /** The node that signed it (checkpoints kept in the database say; older files do not). */
  node?: string;
  /** The seq of the checkpoint stored before it (0: none), so that a checkpoint removed is missed. */
  prev?: number;
}

/**
 * A stored row as the verifier reads it: the hashed text and the hashes, and
 * whether the database found the jsonb payload and the filter columns equal to
 * that text (checked where the data is, so the payload never travels).
 */
export interface StoredRow {
  seq: number;
  canonical: string;
  prevHash: string;
  recordHash: string;
  consistent: boolean;
}

export interface VerifyFailure {
  seq: number;
  reason: string;
}

/**
 * Checks a chain row by row, in seq order, without holding it in memory:
 * gapless seqs, each prev_hash the previous record_hash, each record_hash
 * recomputed over the stored canonical text, and the payload and columns
 * equal to that text. A verifier may start mid-chain (`from` with no known
 * previous hash) to check one segment; `follow` then joins the segments in
 * order. Then the checkpoints: each must name a stored record with its hash
 * (a chain recomputed without the signing key cannot match), and none may lie
 * beyond the last record (a truncated tail).
 */
export class ChainVerifier {
  private expected: number;
  private prevHash: string | null;
  private readonly hashes = new Map<number, string>();
  /** The prev_hash carried by this segment's first row, once read. */
  private entryHash: string | null = null;
  verified = 0;

  constructor(
    private readonly checkpointSeqs: ReadonlySet<number> = new Set(),
    from: { seq: number; prevHash: string | null } = { seq: 1, prevHash: GENESIS_HASH },
  ) {
    this.expected = from.seq;
    this.prevHash = from.prevHash;
  }

  push(row: StoredRow): VerifyFailure | undefined {
    if (row.seq !== this.expected) {
      return { seq: this.expected, reason: row.seq > this.expected ? 'missing record' : 'records out of order' };
    }
    if (this.prevHash === null) this.entryHash = row.prevHash;
    else if (row.prevHash !== this.prevHash) return { seq: row.seq, reason: 'prev_hash does not follow' };
    if (hashCanonical(row.prevHash, row.seq, row.canonical) !== row.recordHash) {
      return { seq: row.seq, reason: 'record_hash does not match the record' };
    }
    if (!row.consistent) return { seq: row.seq, reason: 'columns differ from the hashed record' };
    if (this.checkpointSeqs.has(row.seq)) this.hashes.set(row.seq, row.recordHash);
    this.prevHash = row.recordHash;
    this.expected++;
    this.verified++;
    return undefined;
  }

  /** A segment that must reach `last`: the first seq it lacks, if any. */
  reaches(last: number): VerifyFailure | undefined {
    return this.expected > last ? undefined : { seq: this.expected, reason: 'missing record' };
  }

  /** Joins the segment that comes next, as far as it verified: its first row must follow this head. */
  follow(next: ChainVerifier): VerifyFailure | undefined {
    // Nothing read: the segment's own failure, if any, says why.
    if (next.entryHash === null) return undefined;
    if (next.expected - next.verified !== this.expected) return { seq: this.expected, reason: 'missing record' };
    if (next.entryHash !== this.prevHash) return { seq: this.expected, reason: 'prev_hash does not follow' };
    if (next.verified === 0) return undefined;
    for (const [seq, hash] of next.hashes) this.hashes.set(seq, hash);
    this.expected = next.expected;
    this.prevHash = next.prevHash;
    this.verified += next.verified;
    return undefined;
  }

  /** After the last row: the checkpoints against what was read. */
  finish(checkpoints: readonly Checkpoint[]): VerifyFailure | undefined {
    const last = this.expected - 1;
    for (const checkpoint of [...checkpoints].sort((a, b) => a.seq - b.seq)) {
      if (checkpoint.seq > last)
        return { seq: last + 1, reason: `truncated: a checkpoint vouches for seq ${checkpoint.seq}` };
      if (this.hashes.get(checkpoint.seq) !== checkpoint.headHash) {
        return { seq: checkpoint.seq, reason: 'differs from the signed checkpoint' };
      }
    }
    return undefined;
  }

  /** The head after the rows pushed so far. */
  get head(): { seq: number; hash: string } {
    return { seq: this.expected - 1, hash: this.prevHash ?? '' };
  }
}
