/**
 * The one-time token that confirms a new e-mail address. It travels only in
 * the message sent to that address; the record keeps its SHA-256, so a copy
 * of the database confirms nothing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CONFIRMATION_TTL_MS } from './citizen-contact';

/** 32 random bytes, base64url: what a link carries, and nothing else is a token. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface NewToken {
  token: string;
  hash: string;
  expiresAt: Date;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newConfirmationToken(now: Date): NewToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), expiresAt: new Date(now.getTime() + CONFIRMATION_TTL_MS) };
}

export type ConfirmationOutcome = 'valid' | 'invalid' | 'expired';

/**
 * Whether `token` confirms the pending address of `pending` at `now`. The
 * hashes are compared in constant time; an expired token is told apart only
 * once it matched, so a guess learns nothing. Pure.
 */
export function confirmationOutcome(
  pending: { pendingTokenHash: string | null; pendingExpiresAt: Date | null } | undefined,
  token: string,
  now: Date,
): ConfirmationOutcome {
  if (!TOKEN.test(token) || pending?.pendingTokenHash == null || pending.pendingExpiresAt === null) return 'invalid';
  const given = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(pending.pendingTokenHash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return 'invalid';
  return pending.pendingExpiresAt.getTime() > now.getTime() ? 'valid' : 'expired';
}
