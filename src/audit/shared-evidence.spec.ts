import type { Checkpoint } from './audit-chain';
import { missingCheckpoint } from './shared-evidence';
import type { SignedHead } from './signed-head';

const checkpoint = (seq: number, prev: number | undefined): Checkpoint => ({
  seq,
  headHash: 'c'.repeat(64),
  at: '2026-11-30T10:00:00.000Z',
  prev,
});
const head = (seq: number, named: number | undefined): SignedHead => ({
  seq,
  headHash: 'h'.repeat(64),
  at: '2026-11-30T10:00:00.000Z',
  state: 'appending',
  checkpoint: named,
});
/** Three checkpoints stored one after another, and the head of a later batch naming the newest. */
const STORED = [checkpoint(100, 0), checkpoint(250, 100), checkpoint(400, 250)];
const seqs = (...present: number[]): Set<number> => new Set(present);

describe('missingCheckpoint', () => {
  it('finds none when every checkpoint named is there', () => {
    expect(missingCheckpoint(STORED, seqs(100, 250, 400), head(420, 400))).toBeUndefined();
  });

  it('names one removed from the middle, by the checkpoint that follows it', () => {
    expect(missingCheckpoint([STORED[0], STORED[2]], seqs(100, 400), head(420, 400))).toEqual({
      seq: 250,
      reason: 'a signed checkpoint is missing: the checkpoint at seq 400 follows it',
    });
  });

  it('names the newest removed, by the signed head; nearest miss: a head that named the one before', () => {
    expect(missingCheckpoint(STORED.slice(0, 2), seqs(100, 250), head(420, 400))).toEqual({
      seq: 400,
      reason: 'a signed checkpoint is missing: the signed head (seq 420) names it',
    });
    expect(missingCheckpoint(STORED.slice(0, 2), seqs(100, 250), head(300, 250))).toBeUndefined();
  });

  it('asks nothing of checkpoints and heads from before shared evidence, which name none', () => {
    const older = [{ ...checkpoint(100, undefined) }, { ...checkpoint(400, undefined) }];
    expect(missingCheckpoint(older, seqs(100, 400), head(420, undefined))).toBeUndefined();
    expect(missingCheckpoint([], seqs(), undefined)).toBeUndefined();
  });

  it('names the lowest of several missing', () => {
    expect(missingCheckpoint([STORED[2]], seqs(400), head(520, 500))?.seq).toBe(250);
  });
});
