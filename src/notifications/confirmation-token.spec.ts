import { confirmationOutcome, hashToken, newConfirmationToken } from './confirmation-token';

describe('confirmation tokens', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('are random, 43 base64url characters, kept only as their SHA-256, and good for 24 hours', () => {
    const a = newConfirmationToken(now);
    const b = newConfirmationToken(now);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).toBe(hashToken(a.token));
    expect(a.hash).not.toContain(a.token);
    expect(a.expiresAt.toISOString()).toBe('2026-03-02T12:00:00.000Z');
  });

  it('confirm only the pending address, only before they expire', () => {
    const { token, hash, expiresAt } = newConfirmationToken(now);
    const pending = { pendingTokenHash: hash, pendingExpiresAt: expiresAt };
    expect(confirmationOutcome(pending, token, now)).toBe('valid');
    expect(confirmationOutcome(pending, token, new Date('2026-03-02T11:59:59Z'))).toBe('valid');
    expect(confirmationOutcome(pending, token, expiresAt)).toBe('expired');
  });

  it('refuse another token, a malformed one, and any token when nothing is pending', () => {
    const { token, hash, expiresAt } = newConfirmationToken(now);
    const pending = { pendingTokenHash: hash, pendingExpiresAt: expiresAt };
    expect(confirmationOutcome(pending, newConfirmationToken(now).token, now)).toBe('invalid');
    expect(confirmationOutcome(pending, `${token}x`, now)).toBe('invalid');
    expect(confirmationOutcome(pending, '', now)).toBe('invalid');
    expect(confirmationOutcome({ pendingTokenHash: null, pendingExpiresAt: null }, token, now)).toBe('invalid');
    expect(confirmationOutcome(undefined, token, now)).toBe('invalid');
  });

  it('do not say an unknown token expired: expiry is told only for the right token', () => {
    const { hash, expiresAt } = newConfirmationToken(now);
    const later = new Date(expiresAt.getTime() + 1000);
    expect(
      confirmationOutcome(
        { pendingTokenHash: hash, pendingExpiresAt: expiresAt },
        newConfirmationToken(now).token,
        later,
      ),
    ).toBe('invalid');
  });
});
