import type { JSONWebKeySet } from 'jose';
import { ChainVerifier, type Checkpoint } from './audit-chain';
import type { VerifyOutcome } from './audit-verify';
import { verifyHead } from './signed-head';

/** One record of a verifiable export: what was hashed, and both hashes. */
export interface ExportRecord {
  seq: number;
  prevHash: string;
  recordHash: string;
  /** The exact RFC 8785 text that was hashed: the record's payload. */
  canonical: string;
}

/** The export's last line: the gateway's signature over the head it ends at. */
export interface ExportTrailer {
  signedHead: string;
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
 * it streamed, so that its last record is covered by a signature.
 */
export async function* jsonlLines(
  fetchPage: (afterSeq: number, upTo: number, size: number) => Promise<ExportRow[]>,
  signedHead: { seq: number; jws: string },
): AsyncGenerator<string> {
  for (let after = 0; after < signedHead.seq; ) {
    const rows = await fetchPage(after, signedHead.seq, PAGE);
    if (rows.length === 0) break;
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
  const trailer: ExportTrailer = { signedHead: signedHead.jws };
  yield `${JSON.stringify(trailer)}\n`;
}

export interface ExportReport {
  outcome: VerifyOutcome;
  verified: number;
  head: { seq: number; hash: string };
  checkpoints: number;
  failure?: { seq: number; reason: string };
  unverified?: string;
  seconds: number;
}

/**
 * Verifies an export line by line, in flat memory: the chain from the first
 * record, every checkpoint it reaches, and the signed head it ends with.
 * Checkpoints past its end are later than the export and say nothing of it.
 */
export async function verifyExport(
  lines: AsyncIterable<string>,
  keys: JSONWebKeySet,
  checkpoints: readonly Checkpoint[],
): Promise<ExportReport> {
  const started = process.hrtime.bigint();
  const verifier = new ChainVerifier(new Set(checkpoints.map((c) => c.seq)));
  let trailer: string | undefined;
  let failure: { seq: number; reason: string } | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line === '') continue;
    if (trailer !== undefined) {
      failure = { seq: verifier.head.seq + 1, reason: `line ${lineNumber} follows the signed head` };
      break;
    }
    const item = parseLine(line);
    if (item === undefined) {
      failure = { seq: verifier.head.seq + 1, reason: `line ${lineNumber} is not a record of the export` };
      break;
    }
    if ('signedHead' in item) {
      trailer = item.signedHead;
      continue;
    }
    failure = verifier.push({ ...item, consistent: true });
    if (failure !== undefined) break;
  }
  const head = verifier.head;
  failure ??= verifier.finish(checkpoints.filter((c) => c.seq <= head.seq));
  let unverified: string | undefined;
  if (failure === undefined) {
    const signed = trailer === undefined ? undefined : await verifyHead(trailer, keys);
    if (trailer === undefined) unverified = 'the export has no signed head: nothing covers its last record';
    else if (signed === undefined) failure = { seq: head.seq, reason: 'the signed head does not verify' };
    else if (signed.seq !== head.seq || signed.headHash !== head.hash) {
      failure = { seq: Math.min(signed.seq, head.seq + 1), reason: `differs from the signed head (seq ${signed.seq})` };
    }
  }
  return {
    outcome: failure !== undefined ? 'broken' : unverified !== undefined ? 'unverifiable' : 'intact',
    verified: verifier.verified,
    head,
    checkpoints: checkpoints.filter((c) => c.seq <= head.seq).length,
    failure,
    unverified,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

function parseLine(line: string): ExportRecord | ExportTrailer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const item = value as Record<string, unknown>;
  if (typeof item.signedHead === 'string') return { signedHead: item.signedHead };
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
