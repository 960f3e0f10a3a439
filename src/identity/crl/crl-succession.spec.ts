import { type CrlVersion, decideCrlSuccession, isCrlExpired } from './crl-succession';

const T0 = new Date('2026-06-01T12:00:00Z');
const EARLIER = new Date('2026-05-31T12:00:00Z');
const LATER = new Date('2026-06-02T12:00:00Z');

function version(number: bigint | undefined, thisUpdate: Date): CrlVersion {
  return { number, thisUpdate };
}

describe('decideCrlSuccession', () => {
  it.each([
    ['a higher number, a later thisUpdate', version(7n, T0), version(8n, LATER)],
    ['a higher number, the same thisUpdate (issued within the same second)', version(7n, T0), version(8n, T0)],
    ['a number past 2^53 (cRLNumber may have 20 octets)', version(2n ** 64n, T0), version(2n ** 64n + 1n, LATER)],
    ['the first numbered CRL after unnumbered ones', version(undefined, T0), version(1n, LATER)],
    ['no numbers on either side, a later thisUpdate', version(undefined, T0), version(undefined, LATER)],
  ])('accepts %s', (_case, current, candidate) => {
    expect(decideCrlSuccession(current, candidate)).toEqual({ accept: true });
  });

  it.each([
    // The replay of the attack: a CA-signed older list, lower number and older thisUpdate.
    ['an older CRL written back', version(8n, T0), version(7n, EARLIER), 'this-update-older'],
    ['a lower number with a later thisUpdate', version(8n, T0), version(7n, LATER), 'number-not-higher'],
    ['the same number re-issued', version(8n, T0), version(8n, LATER), 'number-not-higher'],
    ['a higher number with an older thisUpdate', version(8n, T0), version(9n, EARLIER), 'this-update-older'],
    ['no number when the CRL in force has one', version(8n, T0), version(undefined, LATER), 'number-missing'],
    ['no numbers, the same thisUpdate', version(undefined, T0), version(undefined, T0), 'not-newer'],
    ['no numbers, an older thisUpdate', version(undefined, T0), version(undefined, EARLIER), 'this-update-older'],
  ])('refuses %s', (_case, current, candidate, reason) => {
    expect(decideCrlSuccession(current, candidate)).toEqual({ accept: false, reason });
  });
});

describe('isCrlExpired', () => {
  it('is expired only once nextUpdate is past', () => {
    expect(isCrlExpired(EARLIER, T0)).toBe(true);
    expect(isCrlExpired(LATER, T0)).toBe(false);
    expect(isCrlExpired(T0, T0)).toBe(false);
  });

  it('never expires a CRL without nextUpdate', () => {
    expect(isCrlExpired(undefined, T0)).toBe(false);
  });
});
