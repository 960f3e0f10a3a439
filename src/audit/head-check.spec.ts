import { checkStoredHead, decideRecovery, type RecoveryDecision, type StoredHead } from './head-check';
import { EMPTY_HEAD, type ChainHead, type SignedHead } from './signed-head';

/** A distinct, well-formed hash per letter. */
const hash = (letter: string): string => letter.repeat(64);
const at = (seq: number, letter: string): ChainHead => ({ seq, hash: hash(letter) });
const stored = (seq: number, letter: string, intact = true): StoredHead => ({ ...at(seq, letter), intact });

describe('checkStoredHead', () => {
  const EXPECTED = at(5, 'a');
  const PENDING = at(8, 'b');

  it('accepts the head the sequencer wrote; nearest miss: the same seq with another hash', () => {
    expect(checkStoredHead(EXPECTED, undefined, stored(5, 'a'))).toEqual({
      ok: true,
      head: EXPECTED,
      committed: false,
    });
    expect(checkStoredHead(EXPECTED, undefined, stored(5, 'c'))).toEqual({
      ok: false,
      reason: 'the newest record (seq 5) differs from the one the sequencer wrote',
    });
  });

  it('takes on a pending batch that did commit; nearest miss: a batch of that length with another head', () => {
    expect(checkStoredHead(EXPECTED, PENDING, stored(8, 'b'))).toEqual({ ok: true, head: PENDING, committed: true });
    // Someone else wrote as many records as the lost batch held: not the sequencer's.
    expect(checkStoredHead(EXPECTED, PENDING, stored(8, 'c'))).toEqual({
      ok: false,
      reason: 'records after seq 5 were written by someone else (up to 8)',
    });
  });

  it('keeps its head when the pending batch did not commit; nearest miss: part of the batch stored', () => {
    expect(checkStoredHead(EXPECTED, PENDING, stored(5, 'a'))).toEqual({ ok: true, head: EXPECTED, committed: false });
    // A transaction commits whole or not at all: half a batch was written by someone else.
    expect(checkStoredHead(EXPECTED, PENDING, stored(7, 'b')).ok).toBe(false);
  });

  it('refuses a newest record that does not match its hash, even at the expected seq and hash', () => {
    expect(checkStoredHead(EXPECTED, undefined, stored(5, 'a', false))).toEqual({
      ok: false,
      reason: 'the newest record (seq 5) does not match its hash',
    });
    // An edited head cannot pass as the pending batch either.
    expect(checkStoredHead(EXPECTED, PENDING, stored(8, 'b', false)).ok).toBe(false);
  });

  it('refuses a log whose newest records are gone; nearest miss: one record short of the expected head', () => {
    expect(checkStoredHead(EXPECTED, undefined, stored(4, 'a'))).toEqual({
      ok: false,
      reason: 'records after seq 4 are gone (the sequencer wrote up to 5)',
    });
  });

  it('refuses records added by someone else; nearest miss: one record past the expected head', () => {
    expect(checkStoredHead(EXPECTED, undefined, stored(6, 'c'))).toEqual({
      ok: false,
      reason: 'records after seq 5 were written by someone else (up to 6)',
    });
  });

  it('reads an empty log as the genesis head: accepted when nothing was written, refused after', () => {
    expect(checkStoredHead(EMPTY_HEAD, undefined, undefined)).toEqual({ ok: true, head: EMPTY_HEAD, committed: false });
    // The first batch's COMMIT went unanswered and did not land.
    expect(checkStoredHead(EMPTY_HEAD, at(3, 'b'), undefined)).toEqual({
      ok: true,
      head: EMPTY_HEAD,
      committed: false,
    });
    expect(checkStoredHead(EXPECTED, undefined, undefined)).toEqual({
      ok: false,
      reason: 'records after seq 0 are gone (the sequencer wrote up to 5)',
    });
    expect(checkStoredHead(EMPTY_HEAD, undefined, stored(1, 'c'))).toEqual({
      ok: false,
      reason: 'records after seq 0 were written by someone else (up to 1)',
    });
  });
});

type Signed = Omit<SignedHead, 'at'>;
type Point = { seq: number; headHash: string };

interface Inputs {
  signed?: Signed;
  checkpoint?: Point;
  stored?: StoredHead;
}

interface RecoveryCase extends Inputs {
  what: string;
  decision: RecoveryDecision;
  /** The smallest change to the inputs that turns the decision, and the decision it turns to. */
  nearestMiss: { what: string; change: Inputs; decision: RecoveryDecision };
}

const MAX_BATCH = 500;
const signedAt = (seq: number, letter: string, state: Signed['state'] = 'appending'): Signed => ({
  seq,
  headHash: hash(letter),
  state,
});
const checkpointAt = (seq: number, letter: string): Point => ({ seq, headHash: hash(letter) });

const CASES: RecoveryCase[] = [
  {
    what: 'no signature at all and an empty database',
    decision: { kind: 'match', head: EMPTY_HEAD },
    nearestMiss: {
      what: 'a head file at seq 1 over the empty database',
      change: { signed: signedAt(1, 'a') },
      decision: { kind: 'mismatch', reason: 'records after seq 0 are gone (the sequencer wrote up to 1)' },
    },
  },
  {
    what: 'the stored head is the one the head file signs',
    signed: signedAt(10, 'a'),
    checkpoint: checkpointAt(5, 'c'),
    stored: stored(10, 'a'),
    decision: { kind: 'match', head: at(10, 'a') },
    nearestMiss: {
      what: 'the same seq stored with another hash',
      change: { stored: stored(10, 'x') },
      decision: { kind: 'mismatch', reason: 'the newest record (seq 10) differs from the one the sequencer wrote' },
    },
  },
  {
    what: 'a checkpoint newer than the head file, and the stored head at the checkpoint',
    signed: signedAt(10, 'a'),
    checkpoint: checkpointAt(12, 'c'),
    stored: stored(12, 'c'),
    decision: { kind: 'match', head: at(12, 'c') },
    nearestMiss: {
      what: 'the stored head at the older head file',
      change: { stored: stored(10, 'a') },
      decision: { kind: 'mismatch', reason: 'records after seq 10 are gone (the sequencer wrote up to 12)' },
    },
  },
  {
    what: 'the head file and a checkpoint disagreeing at the same seq',
    signed: signedAt(10, 'a'),
    checkpoint: checkpointAt(10, 'x'),
    stored: stored(10, 'a'),
    decision: { kind: 'mismatch', reason: 'the signed head and the checkpoint at seq 10 disagree' },
    nearestMiss: {
      what: 'the checkpoint agreeing',
      change: { checkpoint: checkpointAt(10, 'a') },
      decision: { kind: 'match', head: at(10, 'a') },
    },
  },
  {
    what: 'records stored past the head file, at most one batch, after an unclean stop',
    signed: signedAt(10, 'a'),
    checkpoint: checkpointAt(5, 'c'),
    stored: stored(10 + MAX_BATCH, 's'),
    decision: { kind: 'adopt', from: at(10, 'a'), to: 10 + MAX_BATCH, why: 'committed just before an unclean stop' },
    nearestMiss: {
      what: 'one record more than a batch',
      change: { stored: stored(11 + MAX_BATCH, 's') },
      decision: { kind: 'mismatch', reason: 'records after seq 10 were written by someone else (up to 511)' },
    },
  },
  {
    what: 'a record stored past a head file that says the gateway stopped cleanly',
    signed: signedAt(10, 'a', 'stopped'),
    stored: stored(11, 's'),
    decision: { kind: 'mismatch', reason: 'records after seq 10 were written by someone else (up to 11)' },
    nearestMiss: {
      what: 'the head file saying appending',
      change: { signed: signedAt(10, 'a', 'appending') },
      decision: { kind: 'adopt', from: at(10, 'a'), to: 11, why: 'committed just before an unclean stop' },
    },
  },
  {
    what: 'no head file yet, a checkpoint, and records stored past it (more than a batch)',
    checkpoint: checkpointAt(5, 'c'),
    stored: stored(1_000, 's'),
    decision: { kind: 'adopt', from: at(5, 'c'), to: 1_000, why: 'no signed head yet' },
    nearestMiss: {
      what: 'a head file at the checkpoint: then only one batch may follow it',
      change: { signed: signedAt(5, 'c') },
      decision: { kind: 'mismatch', reason: 'records after seq 5 were written by someone else (up to 1000)' },
    },
  },
  {
    what: 'no signature at all and records stored (a first start of this version)',
    stored: stored(3, 's'),
    decision: { kind: 'adopt', from: EMPTY_HEAD, to: 3, why: 'no signed head yet' },
    nearestMiss: {
      what: 'the newest of them edited',
      change: { stored: stored(3, 's', false) },
      decision: { kind: 'mismatch', reason: 'the newest record (seq 3) does not match its hash' },
    },
  },
  {
    what: 'the stored head behind the head file',
    signed: signedAt(10, 'a'),
    stored: stored(9, 'b'),
    decision: { kind: 'mismatch', reason: 'records after seq 9 are gone (the sequencer wrote up to 10)' },
    nearestMiss: {
      what: 'the stored head at the head file',
      change: { stored: stored(10, 'a') },
      decision: { kind: 'match', head: at(10, 'a') },
    },
  },
  {
    what: 'the stored head behind a checkpoint, with no head file',
    checkpoint: checkpointAt(5, 'c'),
    stored: undefined,
    decision: { kind: 'mismatch', reason: 'records after seq 0 are gone (the sequencer wrote up to 5)' },
    nearestMiss: {
      what: 'the stored head at the checkpoint',
      change: { stored: stored(5, 'c') },
      decision: { kind: 'match', head: at(5, 'c') },
    },
  },
  {
    what: 'an edited head at the head file’s seq and hash',
    signed: signedAt(10, 'a'),
    stored: stored(10, 'a', false),
    decision: { kind: 'mismatch', reason: 'the newest record (seq 10) does not match its hash' },
    nearestMiss: {
      what: 'the head intact',
      change: { stored: stored(10, 'a') },
      decision: { kind: 'match', head: at(10, 'a') },
    },
  },
  {
    what: 'an edited record past the head file, within one batch after an unclean stop',
    signed: signedAt(10, 'a'),
    stored: stored(11, 's', false),
    decision: { kind: 'mismatch', reason: 'the newest record (seq 11) does not match its hash' },
    nearestMiss: {
      what: 'the record intact',
      change: { stored: stored(11, 's') },
      decision: { kind: 'adopt', from: at(10, 'a'), to: 11, why: 'committed just before an unclean stop' },
    },
  },
];

describe('decideRecovery', () => {
  const decide = (inputs: Inputs): RecoveryDecision =>
    decideRecovery(inputs.signed, inputs.checkpoint, inputs.stored, MAX_BATCH);

  it.each(CASES)('$what', ({ signed, checkpoint, stored: head, decision }) => {
    expect(decide({ signed, checkpoint, stored: head })).toEqual(decision);
  });

  it.each(CASES)('$what: nearest miss, $nearestMiss.what', ({ signed, checkpoint, stored: head, nearestMiss }) => {
    const inputs = { signed, checkpoint, stored: head, ...nearestMiss.change };
    expect(decide(inputs)).toEqual(nearestMiss.decision);
  });

  it('bounds what may follow a head file signed over an empty log to one batch', () => {
    // A head file at seq 0 (an empty log signed at boot) is a head file all the same: a forged log is not adopted.
    expect(decide({ signed: signedAt(0, '0'), stored: stored(MAX_BATCH, 's') }).kind).toBe('adopt');
    expect(decide({ signed: signedAt(0, '0'), stored: stored(MAX_BATCH + 1, 's') }).kind).toBe('mismatch');
  });
});
