import { EMPTY_HEAD, type ChainHead } from './signed-head';

/** The newest stored record as the sequencer reads it before each batch. */
export interface StoredHead extends ChainHead {
  /** Its record_hash recomputes from its prev_hash and text, and its columns equal that text. */
  intact: boolean;
}

export type HeadCheck = { ok: true; head: ChainHead; committed: boolean } | { ok: false; reason: string };

function same(a: ChainHead, b: ChainHead): boolean {
  return a.seq === b.seq && a.hash === b.hash;
}

/**
 * Before each batch: is the stored head the one this sequencer wrote? It
 * keeps the head it committed (`expected`), and the head of a batch whose
 * COMMIT it sent without hearing back (`pending`: the connection died), which
 * may or may not have landed. Anything else means someone else wrote to the
 * log, and appends stop: a forgery at the head, made with the chain
 * recomputed, would otherwise be signed into the next checkpoint. Pure.
 */
export function checkStoredHead(
  expected: ChainHead,
  pending: ChainHead | undefined,
  stored: StoredHead | undefined,
): HeadCheck {
  const found = stored ?? { ...EMPTY_HEAD, intact: true };
  if (!found.intact) return { ok: false, reason: `the newest record (seq ${found.seq}) does not match its hash` };
  if (same(found, expected)) return { ok: true, head: expected, committed: false };
  if (pending !== undefined && same(found, pending)) return { ok: true, head: pending, committed: true };
  if (found.seq < expected.seq) {
    return { ok: false, reason: `records after seq ${found.seq} are gone (the sequencer wrote up to ${expected.seq})` };
  }
  if (found.seq > expected.seq) {
    return { ok: false, reason: `records after seq ${expected.seq} were written by someone else (up to ${found.seq})` };
  }
  return { ok: false, reason: `the newest record (seq ${found.seq}) differs from the one the sequencer wrote` };
}

export type RecoveryDecision =
  | { kind: 'match'; head: ChainHead }
  /** Records past the signed head that a restart may take on, if they chain from it. */
  | { kind: 'adopt'; from: ChainHead; to: number; why: string }
  | { kind: 'mismatch'; reason: string };

/**
 * At boot, with no head in memory: the stored head must be the newest one
 * signed (the head file, or a checkpoint when there is no head file yet).
 * Two cases let records past it be taken on, if they chain from it: a crash
 * between a batch's COMMIT and its signature (at most one batch, and only if
 * the last statement is not a clean stop), and a log that has never had a
 * head file (a first start of this version, or a new signature directory).
 * Everything else stops appends. Pure.
 */
export function decideRecovery(
  signed: { seq: number; headHash: string; state: 'appending' | 'stopped' } | undefined,
  checkpoint: { seq: number; headHash: string } | undefined,
  stored: StoredHead | undefined,
  maxBatch: number,
): RecoveryDecision {
  const candidates = [signed, checkpoint].filter((c) => c !== undefined);
  const newest = candidates.reduce<ChainHead>(
    (best, c) => (c.seq > best.seq ? { seq: c.seq, hash: c.headHash } : best),
    EMPTY_HEAD,
  );
  if (signed !== undefined && checkpoint !== undefined && signed.seq === checkpoint.seq) {
    if (signed.headHash !== checkpoint.headHash) {
      return { kind: 'mismatch', reason: `the signed head and the checkpoint at seq ${signed.seq} disagree` };
    }
  }
  const found = stored ?? { ...EMPTY_HEAD, intact: true };
  const check = checkStoredHead(newest, undefined, found);
  if (check.ok) return { kind: 'match', head: newest };
  if (!found.intact || found.seq <= newest.seq) return { kind: 'mismatch', reason: check.reason };
  if (signed === undefined) {
    return { kind: 'adopt', from: newest, to: found.seq, why: 'no signed head yet' };
  }
  if (signed.state === 'appending' && found.seq - newest.seq <= maxBatch) {
    return { kind: 'adopt', from: newest, to: found.seq, why: 'committed just before an unclean stop' };
  }
  return { kind: 'mismatch', reason: check.reason };
}
