import type { JSONWebKeySet } from 'jose';
import { ChainVerifier, GENESIS_HASH, type Checkpoint } from './audit-chain';
import type { VerifyOutcome } from './audit-verify';
import { verifyRetention, type RetentionStatement } from './retention-statement';
import { verifyHead } from './signed-head';

/** One record of a verifiable export: what was hashed, and both hashes. */
export interface ExportRecord {
  seq: number;
  prevHash: string;
  recordHash: string;
  /** The exact RFC 8785 text that was hashed: the record's payload. */
  canonical: string;
}

/**
 * The export's last line: the gateway's signature over the record it ends
 * at. The whole log ends at a signed head; one month taken out by
 * `audit retention` ends at that month's retention statement.
 */
export type ExportTrailer = { signedHead: string } | { retained: string };

/**
 * The first line of an export that does not start at seq 1: the retention
 * statement of the records before it, which vouches for the first record's
 * prev_hash.
 */
export interface ExportAnchor {
  retainedFrom: string;
}

export interface JsonlOptions {
  /** Start after this seq (the whole log: 0). */
  after?: number;
  /** The retention statement (JWS) of the records before `firstSeq`, when the export starts past seq 1. */
  retainedFrom?: (firstSeq: number) => Promise<string | undefined>;
  /** `retained`: the end is a retention statement rather than a signed head. */
  trailer?: 'signedHead' | 'retained';
}

export interface ExportRow {
  seq: string;
  prev_hash: string;
  record_hash: string;
  canonical: string;
}

const PAGE = 5_000;

/**
 * The whole log up to a signed head, as JSON lines, then the head's
 * signature: a third party verifies it with the gateway's public keys and no
 * database. It ends at the signed head, not at whatever was appended while
 * it streamed, so that its last record is covered by a signature. When old
 * months were taken out, it starts with the retention statement of the
 * records before its first.
 */
export async function* jsonlLines(
  fetchPage: (afterSeq: number, upTo: number, size: number) => Promise<ExportRow[]>,
  signedHead: { seq: number; jws: string },
  options: JsonlOptions = {},
): AsyncGenerator<string> {
  for (let after = options.after ?? 0; after < signedHead.seq; ) {
    const rows = await fetchPage(after, signedHead.seq, PAGE);
    if (rows.length === 0) break;
    const first = Number(rows[0].seq);
    if (after === (options.after ?? 0) && first > 1 && options.retainedFrom !== undefined) {
      const jws = await options.retainedFrom(first);
      if (jws !== undefined) yield `${JSON.stringify({ retainedFrom: jws } satisfies ExportAnchor)}\n`;
    }
    yield rows
      .map((row) => {
        const record: ExportRecord = {
          seq: Number(row.seq),
          prevHash: row.prev_hash,
          recordHash: row.record_hash,
          canonical: row.canonical,
        };
        return `${JSON.stringify(record)}\n`;
      })
      .join('');
    after = Number(rows[rows.length - 1].seq);
  }
  const trailer: ExportTrailer =
    options.trailer === 'retained' ? { retained: signedHead.jws } : { signedHead: signedHead.jws };
  yield `${JSON.stringify(trailer)}\n`;
}

export interface ExportReport {
  outcome: VerifyOutcome;
  /** The first seq the export holds (1, or the one after its `retainedFrom` statement). */
  from: number;
  verified: number;
  head: { seq: number; hash: string };
  checkpoints: number;
  failure?: { seq: number; reason: string };
  unverified?: string;
  seconds: number;
}

/**
 * Verifies an export line by line, in flat memory: the chain from the first
 * record (seq 1, or the record after the retention statement it opens with),
 * every checkpoint it reaches, and the signature it ends with (a signed head,
 * or the retention statement of a month taken out of the database).
 * Checkpoints outside it are earlier or later than the export and say
 * nothing of it.
 */
export async function verifyExport(
  lines: AsyncIterable<string>,
  keys: JSONWebKeySet,
  checkpoints: readonly Checkpoint[],
): Promise<ExportReport> {
  const started = process.hrtime.bigint();
  const seqs = new Set(checkpoints.map((c) => c.seq));
  let verifier: ChainVerifier | undefined;
  let anchor: RetentionStatement | undefined;
  let trailer: ExportTrailer | undefined;
  let failure: { seq: number; reason: string } | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line === '') continue;
    const next = (verifier?.head.seq ?? 0) + 1;
    if (trailer !== undefined) {
      failure = { seq: next, reason: `line ${lineNumber} follows the signed head` };
      break;
    }
    const item = parseLine(line);
    if (item === undefined) {
      failure = { seq: next, reason: `line ${lineNumber} is not a record of the export` };
      break;
    }
    if ('retainedFrom' in item) {
      // Only as the first line: anywhere else it would let a chain restart from a hash of its choosing.
      anchor = verifier === undefined ? await verifyRetention(item.retainedFrom, keys) : undefined;
      if (anchor === undefined) {
        failure = { seq: next, reason: `line ${lineNumber}: the retention statement it starts from does not hold` };
        break;
      }
      verifier = new ChainVerifier(seqs, { seq: anchor.seq + 1, prevHash: anchor.headHash });
      continue;
    }
    verifier ??= new ChainVerifier(seqs);
    if ('signedHead' in item || 'retained' in item) {
      trailer = item;
      continue;
    }
    failure = verifier.push({ ...item, consistent: true });
    if (failure !== undefined) break;
  }
  verifier ??= new ChainVerifier(seqs);
  const from = anchor === undefined ? 1 : anchor.seq + 1;
  const head = verifier.head;
  const within = checkpoints.filter((c) => c.seq >= from && c.seq <= head.seq);
  const atAnchor = checkpoints.find((c) => c.seq === anchor?.seq);
  if (failure === undefined && atAnchor !== undefined && atAnchor.headHash !== anchor?.headHash) {
    failure = { seq: atAnchor.seq, reason: 'the retention statement differs from the signed checkpoint' };
  }
  failure ??= verifier.finish(within);
  let unverified: string | undefined;
  if (failure === undefined) ({ failure, unverified } = await checkTrailer(trailer, keys, head, anchor));
  return {
    outcome: failure !== undefined ? 'broken' : unverified !== undefined ? 'unverifiable' : 'intact',
    from,
    verified: verifier.verified,
    head,
    checkpoints: within.length,
    failure,
    unverified,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** Does the export's last line sign the record it ends at (and, for a retained month, the whole month)? */
async function checkTrailer(
  trailer: ExportTrailer | undefined,
  keys: JSONWebKeySet,
  head: { seq: number; hash: string },
  anchor: RetentionStatement | undefined,
): Promise<{ failure?: { seq: number; reason: string }; unverified?: string }> {
  if (trailer === undefined) return { unverified: 'the export has no signed head: nothing covers its last record' };
  if ('signedHead' in trailer) {
    const signed = await verifyHead(trailer.signedHead, keys);
    if (signed === undefined) return { failure: { seq: head.seq, reason: 'the signed head does not verify' } };
    if (signed.seq !== head.seq || signed.headHash !== head.hash) {
      const seq = Math.min(signed.seq, head.seq + 1);
      return { failure: { seq, reason: `differs from the signed head (seq ${signed.seq})` } };
    }
    return {};
  }
  const retained = await verifyRetention(trailer.retained, keys);
  if (retained === undefined) return { failure: { seq: head.seq, reason: 'the retention statement does not verify' } };
  if (retained.seq !== head.seq || retained.headHash !== head.hash) {
    const seq = Math.min(retained.seq, head.seq + 1);
    return { failure: { seq, reason: `differs from the retention statement (seq ${retained.seq})` } };
  }
  // The month whole: from the record the statement names, chained from the hash it names.
  const from = anchor === undefined ? 1 : anchor.seq + 1;
  if (retained.from !== from || retained.fromPrevHash !== (anchor?.headHash ?? GENESIS_HASH)) {
    return {
      failure: { seq: from, reason: `does not start where its retention statement does (seq ${retained.from})` },
    };
  }
  return {};
}

function parseLine(line: string): ExportRecord | ExportTrailer | ExportAnchor | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const item = value as Record<string, unknown>;
  if (typeof item.signedHead === 'string') return { signedHead: item.signedHead };
  if (typeof item.retained === 'string') return { retained: item.retained };
  if (typeof item.retainedFrom === 'string') return { retainedFrom: item.retainedFrom };
  const { seq, prevHash, recordHash, canonical } = item;
  if (
    !Number.isSafeInteger(seq) ||
    typeof prevHash !== 'string' ||
    typeof recordHash !== 'string' ||
    typeof canonical !== 'string'
  ) {
    return undefined;
  }
  return { seq: seq as number, prevHash, recordHash, canonical };
}
