import { EMPTY_HEAD, type ChainHead, type SignedHead } from './signed-head';

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

/** What the sequencer reads in one statement, under its lock, before each batch. */
export interface Observed {
  stored: StoredHead | undefined;
  /**
   * The signed head stored with the last batch, whichever node committed it:
   * verified only when needed (another node's), `invalid` when it does not
   * verify, undefined when there is none.
   */
  shared: () => SignedHead | 'invalid' | undefined;
  /** The newest checkpoint stored (0: none). */
  checkpoint: number;
  /** The hash stored at the seq of the head this node expects, and at its pending head's (null: no such record). */
  expectedHash: string | null;
  pendingHash: string | null;
}

export type ChainCheck =
  | {
      ok: true;
      /** The head to build on: this node's own, or another node's that the stored signed head vouches for. */
      head: ChainHead;
      /** The pending batch did commit. */
      landed: boolean;
      /** The newest checkpoint known: the next signed head names it. */
      checkpoint: number;
    }
  | { ok: false; reason: string };

/**
 * Before each batch, with several nodes appending to one log: is the stored
 * head one that a node of the gateway signed? This node keeps the head it
 * committed (`expected`, and `pending` for a COMMIT it sent without hearing
 * back). Another node may have appended since: its records are taken on if
 * the head stored with them is signed and is the stored head, and this
 * node's own newest record is still the one it wrote. Checkpoints are never
 * removed: the newest stored may not be older than one already seen or
 * named by a signed head (`known`). Anything else stops appends. Pure.
 */
export function checkChainHead(
  expected: ChainHead,
  pending: ChainHead | undefined,
  known: number,
  observed: Observed,
): ChainCheck {
  const found = observed.stored ?? { ...EMPTY_HEAD, intact: true };
  if (!found.intact) return { ok: false, reason: `the newest record (seq ${found.seq}) does not match its hash` };
  let head: ChainHead;
  let landed = false;
  let checkpoint = known;
  if (same(found, expected)) head = expected;
  else if (pending !== undefined && same(found, pending)) ({ head, landed } = { head: pending, landed: true });
  else {
    // The newest record this node wrote, which another node's must follow.
    landed = pending !== undefined && observed.pendingHash === pending.hash;
    const mine = landed && pending !== undefined ? pending : expected;
    const mineHash = landed ? observed.pendingHash : observed.expectedHash;
    if (found.seq < mine.seq) {
      return { ok: false, reason: `records after seq ${found.seq} are gone (the sequencer wrote up to ${mine.seq})` };
    }
    if (mine.seq > 0 && mineHash !== mine.hash) {
      return { ok: false, reason: `the record at seq ${mine.seq} differs from the one the sequencer wrote` };
    }
    const shared = found.seq > mine.seq ? observed.shared() : undefined;
    if (shared === 'invalid') return { ok: false, reason: 'the signed head stored with the log does not verify' };
    if (shared === undefined || shared.seq !== found.seq || shared.headHash !== found.hash) {
      return {
        ok: false,
        reason: `records after seq ${mine.seq} were written by someone else (up to ${found.seq}) without a signed head`,
      };
    }
    head = { seq: found.seq, hash: found.hash };
    checkpoint = Math.max(checkpoint, shared.checkpoint ?? 0);
  }
  if (observed.checkpoint < checkpoint) {
    return {
      ok: false,
      reason: `signed checkpoints were removed: the newest stored is at seq ${observed.checkpoint}, one at seq ${checkpoint} was signed`,
    };
  }
  return { ok: true, head, landed, checkpoint: observed.checkpoint };
}

/** What a starting node finds: in the database (read in one statement), and in its own folder. */
export interface BootEvidence {
  stored: StoredHead | undefined;
  /** The signed head stored with the last batch. */
  shared: SignedHead | 'invalid' | undefined;
  /** The newest checkpoint stored. */
  storedCheckpoint: { seq: number; headHash: string } | 'invalid' | undefined;
  /** The newest checkpoint in this node's folder, and its head file: its own statements, not the log's head. */
  fileCheckpoint: { seq: number; headHash: string } | undefined;
  own: SignedHead | undefined;
  /** The hash stored at the seq of `own` (null: no such record). */
  ownHash: string | null;
}

/**
 * At boot, with no head in memory. Once a batch has stored its signed head
 * with it, that head is the log's, whichever node wrote it: the stored head
 * must be it exactly (records commit with their signed head, so none may lie
 * past it), no checkpoint may be newer or disagree, none it names may be
 * gone, and this node's own last statement must still hold (its records are
 * still there, as it wrote them). Another node having appended since is no
 * reason to refuse. A log with no stored head yet (written by an earlier
 * version) is decided as before, from the files (decideRecovery). Pure.
 */
export function decideBoot(evidence: BootEvidence, maxBatch: number): RecoveryDecision {
  const { shared, storedCheckpoint, fileCheckpoint, own, stored } = evidence;
  if (shared === 'invalid') return { kind: 'mismatch', reason: 'the signed head stored with the log does not verify' };
  if (storedCheckpoint === 'invalid') {
    return { kind: 'mismatch', reason: 'the newest checkpoint stored with the log does not verify' };
  }
  const checkpoint = [storedCheckpoint, fileCheckpoint].reduce<{ seq: number; headHash: string } | undefined>(
    (best, c) => (c !== undefined && (best === undefined || c.seq > best.seq) ? c : best),
    undefined,
  );
  if (shared === undefined) return decideRecovery(own, checkpoint, stored, maxBatch);
  const head = { seq: shared.seq, hash: shared.headHash };
  if (checkpoint !== undefined && checkpoint.seq > head.seq) {
    return {
      kind: 'mismatch',
      reason: `the stored signed head (seq ${head.seq}) is older than a checkpoint (seq ${checkpoint.seq})`,
    };
  }
  if (checkpoint?.seq === head.seq && checkpoint.headHash !== head.hash) {
    return { kind: 'mismatch', reason: `the signed head and the checkpoint at seq ${head.seq} disagree` };
  }
  if ((storedCheckpoint?.seq ?? 0) < (shared.checkpoint ?? 0)) {
    return {
      kind: 'mismatch',
      reason: `signed checkpoints were removed: the newest stored is at seq ${storedCheckpoint?.seq ?? 0}, one at seq ${shared.checkpoint} was signed`,
    };
  }
  const check = checkStoredHead(head, undefined, stored);
  if (!check.ok) return { kind: 'mismatch', reason: check.reason };
  if (own !== undefined && own.seq > head.seq) {
    return { kind: 'mismatch', reason: `records after seq ${head.seq} are gone (this node signed up to ${own.seq})` };
  }
  if (own !== undefined && own.seq > 0 && evidence.ownHash !== own.headHash) {
    return { kind: 'mismatch', reason: `the record at seq ${own.seq} differs from the one this node signed` };
  }
  return { kind: 'match', head };
}
