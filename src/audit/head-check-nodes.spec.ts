import {
  checkChainHead,
  decideBoot,
  type BootEvidence,
  type ChainCheck,
  type Observed,
  type RecoveryDecision,
  type StoredHead,
} from './head-check';
import { EMPTY_HEAD, type ChainHead, type SignedHead } from './signed-head';

/** A distinct, well-formed hash per letter. */
const hash = (letter: string): string => letter.repeat(64);
const at = (seq: number, letter: string): ChainHead => ({ seq, hash: hash(letter) });
const stored = (seq: number, letter: string, intact = true): StoredHead => ({ ...at(seq, letter), intact });
const signed = (seq: number, letter: string, extra: Partial<SignedHead> = {}): SignedHead => ({
  seq,
  headHash: hash(letter),
  at: '2026-11-30T10:00:00.000Z',
  state: 'appending',
  ...extra,
});

describe('checkChainHead: before each batch, with other nodes appending to the same log', () => {
  const MINE = at(10, 'a');
  /** This node wrote up to 10 ('a'); another node has since appended up to 14 ('b') and signed it. */
  const advanced: Observed = {
    stored: stored(14, 'b'),
    shared: () => signed(14, 'b', { checkpoint: 5 }),
    checkpoint: 5,
    expectedHash: hash('a'),
    pendingHash: null,
  };
  const check = (observed: Partial<Observed>, known = 5, pending?: ChainHead): ChainCheck =>
    checkChainHead(MINE, pending, known, { ...advanced, ...observed });

  it('builds on its own head without reading the stored signed head', () => {
    const shared = jest.fn(() => 'invalid' as const);
    expect(check({ stored: stored(10, 'a'), shared })).toEqual({
      ok: true,
      head: MINE,
      landed: false,
      checkpoint: 5,
    });
    expect(shared).not.toHaveBeenCalled();
  });

  it("takes on another node's records when the stored signed head vouches for them; nearest miss: it vouches for one less", () => {
    expect(check({})).toEqual({ ok: true, head: at(14, 'b'), landed: false, checkpoint: 5 });
    expect(check({ shared: () => signed(13, 'b') })).toEqual({
      ok: false,
      reason: 'records after seq 10 were written by someone else (up to 14) without a signed head',
    });
  });

  it('refuses records appended with a signed head that does not verify, or with none', () => {
    expect(check({ shared: () => 'invalid' })).toEqual({
      ok: false,
      reason: 'the signed head stored with the log does not verify',
    });
    expect(check({ shared: () => undefined }).ok).toBe(false);
  });

  it("refuses another node's head when this node's own newest record was changed underneath it", () => {
    expect(check({ expectedHash: hash('x') })).toEqual({
      ok: false,
      reason: 'the record at seq 10 differs from the one the sequencer wrote',
    });
  });

  it('refuses a log cut back below its own head, even with a signed head that matches what is left', () => {
    // The operator deleted 9..10 and put back an older signed head: it verifies, but this node wrote up to 10.
    expect(check({ stored: stored(8, 'c'), shared: () => signed(8, 'c'), expectedHash: null })).toEqual({
      ok: false,
      reason: 'records after seq 8 are gone (the sequencer wrote up to 10)',
    });
  });

  it('takes on its own pending batch, landed, with another node past it', () => {
    const pending = at(12, 'p');
    expect(check({ pendingHash: hash('p') }, 5, pending)).toEqual({
      ok: true,
      head: at(14, 'b'),
      landed: true,
      checkpoint: 5,
    });
    // Not landed: its seqs were taken by the other node's records, which follow this node's committed head.
    expect(check({ pendingHash: hash('b') }, 5, pending)).toMatchObject({ ok: true, landed: false });
  });

  it('refuses a newest record that does not match its hash', () => {
    expect(check({ stored: stored(14, 'b', false) })).toEqual({
      ok: false,
      reason: 'the newest record (seq 14) does not match its hash',
    });
  });

  it('refuses checkpoints removed: fewer than seen, or than the signed head names; nearest miss: as many', () => {
    expect(check({ stored: stored(10, 'a'), checkpoint: 4 })).toEqual({
      ok: false,
      reason: 'signed checkpoints were removed: the newest stored is at seq 4, one at seq 5 was signed',
    });
    expect(check({ shared: () => signed(14, 'b', { checkpoint: 9 }) }, 0)).toEqual({
      ok: false,
      reason: 'signed checkpoints were removed: the newest stored is at seq 5, one at seq 9 was signed',
    });
    expect(check({ shared: () => signed(14, 'b', { checkpoint: 5 }) }, 0)).toMatchObject({ ok: true, checkpoint: 5 });
  });

  it('names the newest checkpoint stored in what it signs next', () => {
    expect(check({ checkpoint: 12 })).toMatchObject({ ok: true, checkpoint: 12 });
  });

  it('starts an empty log from the genesis head, and takes on a first batch another node wrote', () => {
    const empty: Observed = { ...advanced, stored: undefined, checkpoint: 0, expectedHash: null };
    expect(checkChainHead(EMPTY_HEAD, undefined, 0, empty)).toMatchObject({ ok: true, head: EMPTY_HEAD });
    expect(
      checkChainHead(EMPTY_HEAD, undefined, 0, { ...empty, stored: stored(3, 'b'), shared: () => signed(3, 'b') }),
    ).toMatchObject({ ok: true, head: at(3, 'b') });
  });
});

interface BootCase {
  what: string;
  change: Partial<BootEvidence>;
  decision: RecoveryDecision;
}

const MAX_BATCH = 500;
/** Node A starts: the log is at 20 ('s'), signed by node B; A last signed 12 ('a'), which is still stored. */
const BOOT: BootEvidence = {
  stored: stored(20, 's'),
  shared: signed(20, 's', { node: 'b', checkpoint: 15 }),
  storedCheckpoint: { seq: 15, headHash: hash('c') },
  fileCheckpoint: { seq: 10, headHash: hash('d') },
  own: signed(12, 'a', { node: 'a', state: 'stopped' }),
  ownHash: hash('a'),
};

const BOOT_CASES: BootCase[] = [
  {
    what: 'another node advanced the chain past this node’s own last statement',
    change: {},
    decision: { kind: 'match', head: at(20, 's') },
  },
  {
    what: 'no head file: a node with no folder',
    change: { own: undefined, ownHash: null, fileCheckpoint: undefined },
    decision: { kind: 'match', head: at(20, 's') },
  },
  {
    what: 'a record stored past the stored signed head',
    change: { stored: stored(21, 'x') },
    decision: { kind: 'mismatch', reason: 'records after seq 20 were written by someone else (up to 21)' },
  },
  {
    what: 'the stored head behind the stored signed head',
    change: { stored: stored(19, 'r') },
    decision: { kind: 'mismatch', reason: 'records after seq 19 are gone (the sequencer wrote up to 20)' },
  },
  {
    what: 'the log cut back with an older signed head put back, below this node’s own statement',
    change: {
      stored: stored(11, 'q'),
      shared: signed(11, 'q'),
      storedCheckpoint: undefined,
      fileCheckpoint: undefined,
    },
    decision: { kind: 'mismatch', reason: 'records after seq 11 are gone (this node signed up to 12)' },
  },
  {
    what: 'this node’s own last record changed',
    change: { ownHash: hash('z') },
    decision: { kind: 'mismatch', reason: 'the record at seq 12 differs from the one this node signed' },
  },
  {
    what: 'a stored signed head that does not verify',
    change: { shared: 'invalid' },
    decision: { kind: 'mismatch', reason: 'the signed head stored with the log does not verify' },
  },
  {
    what: 'the checkpoint the stored signed head names removed',
    change: { storedCheckpoint: { seq: 14, headHash: hash('c') } },
    decision: {
      kind: 'mismatch',
      reason: 'signed checkpoints were removed: the newest stored is at seq 14, one at seq 15 was signed',
    },
  },
  {
    what: 'a checkpoint in this node’s folder newer than the stored signed head',
    change: { fileCheckpoint: { seq: 25, headHash: hash('e') } },
    decision: { kind: 'mismatch', reason: 'the stored signed head (seq 20) is older than a checkpoint (seq 25)' },
  },
  {
    what: 'no stored signed head yet (a log written by an earlier version): the files decide',
    change: { shared: undefined, storedCheckpoint: undefined, own: signed(20, 's') },
    decision: { kind: 'match', head: at(20, 's') },
  },
];

describe('decideBoot: a node starting on a log that other nodes append to', () => {
  it.each(BOOT_CASES)('$what', ({ change, decision }) => {
    expect(decideBoot({ ...BOOT, ...change }, MAX_BATCH)).toEqual(decision);
  });

  it('takes on records past a head file only while no signed head is stored with the log', () => {
    const legacy = { shared: undefined, storedCheckpoint: undefined, own: signed(18, 'a'), ownHash: hash('a') };
    expect(decideBoot({ ...BOOT, ...legacy }, MAX_BATCH)).toMatchObject({ kind: 'adopt', to: 20 });
    expect(decideBoot({ ...BOOT, ...legacy, shared: signed(18, 'a') }, MAX_BATCH).kind).toBe('mismatch');
  });
});
