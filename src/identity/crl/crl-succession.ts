/** What the succession rule needs of a CRL: its cRLNumber (absent if it has none) and its thisUpdate. */
export interface CrlVersion {
  number: bigint | undefined;
  thisUpdate: Date;
}

export type CrlSuccessionRefusal =
  /** The candidate's cRLNumber is not above the one in force: an old CRL replayed, or a re-issue of the same one. */
  | 'number-not-higher'
  /** The CRL in force carries a number and the candidate does not: nothing shows it is the newer. */
  | 'number-missing'
  /** The candidate was issued before the CRL in force. */
  | 'this-update-older'
  /** Neither carries a number and the candidate's thisUpdate is not later: nothing shows it is the newer. */
  | 'not-newer';

export type CrlSuccession = { accept: true } | { accept: false; reason: CrlSuccessionRefusal };

/**
 * May `candidate` replace the CRL in force? Every CRL the agency CA ever signed
 * verifies forever, so a signature alone cannot tell a fresh list from an old one
 * written back: an old list is one on which a since-revoked certificate is absent,
 * and accepting it would let that certificate in again (RFC 5280 5.2.3: the
 * cRLNumber increases monotonically, so a newer CRL is one with a higher number).
 *
 * - A lower or equal number is refused: a replay, whatever its dates say.
 * - A missing number when the CRL in force has one is refused: a number cannot
 *   be compared with nothing, and the CA would not silently stop numbering.
 * - An older thisUpdate is refused even with a higher number: the CA issues
 *   its lists in time order, so the two disagreeing means one of them is wrong,
 *   and the list in force is the one known to be good.
 * - The first CRL with a number may follow one without (the CA started numbering).
 * - Without numbers on either side, thisUpdate is the only evidence of order, so
 *   it must be strictly later.
 */
export function decideCrlSuccession(current: CrlVersion, candidate: CrlVersion): CrlSuccession {
  if (candidate.thisUpdate.getTime() < current.thisUpdate.getTime()) {
    return { accept: false, reason: 'this-update-older' };
  }
  if (current.number !== undefined) {
    if (candidate.number === undefined) return { accept: false, reason: 'number-missing' };
    if (candidate.number <= current.number) return { accept: false, reason: 'number-not-higher' };
    return { accept: true };
  }
  if (candidate.number !== undefined) return { accept: true };
  if (candidate.thisUpdate.getTime() <= current.thisUpdate.getTime()) return { accept: false, reason: 'not-newer' };
  return { accept: true };
}

/** An expired CRL still lists what it lists; it is an alarm for the operator, never a reason to drop it. */
export function isCrlExpired(nextUpdate: Date | undefined, now: Date): boolean {
  return nextUpdate !== undefined && nextUpdate.getTime() < now.getTime();
}
