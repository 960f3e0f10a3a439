import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Sql, type PreparedStatement } from '../platform/database/sql';

export interface PortalSession {
  subject: string;
  roles: string[];
  csrf: string;
  /** The name the IdP gave, if it gave one. */
  name: string | null;
}

/** How long a signed-in session lasts. */
export const SESSION_SECONDS = 3600;

const INSERT: PreparedStatement = {
  name: 'portal.session-insert',
  text: `INSERT INTO portal_session (token_hash, subject, roles, csrf, expires_at, display_name)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), $6)`,
};
const FIND: PreparedStatement = {
  name: 'portal.session-find',
  text: 'SELECT subject, roles, csrf, display_name AS name FROM portal_session WHERE token_hash = $1 AND expires_at > now()',
};
const DELETE: PreparedStatement = {
  name: 'portal.session-delete',
  text: 'DELETE FROM portal_session WHERE token_hash = $1 OR expires_at <= now()',
};

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = (): string => randomBytes(32).toString('base64url');

/**
 * Portal sessions, kept in PostgreSQL: the cookie carries a random token, the
 * table only its hash. A row exists only once the IdP has vouched for someone.
 * Signing in replaces any earlier session (no fixation); signing out deletes
 * it, so the cookie is worth nothing afterwards.
 */
@Injectable()
export class PortalSessions {
  constructor(private readonly sql: Sql) {}

  async find(token: string | undefined): Promise<PortalSession | undefined> {
    if (token === undefined || token.length > 100) return undefined;
    const [row] = await this.sql.query<PortalSession & Record<string, unknown>>(FIND, [hashOf(token)]);
    return row;
  }

  /** The IdP vouched for `subject`: any earlier session ends and a new one, with a new token, begins. */
  async signIn(
    earlierToken: string | undefined,
    subject: string,
    roles: readonly string[],
    name?: string,
  ): Promise<string> {
    const token = newToken();
    await this.sql.transaction(async (tx) => {
      // Also sweeps expired sessions.
      await tx.query(DELETE, [earlierToken === undefined ? '' : hashOf(earlierToken)]);
      await tx.query(INSERT, [hashOf(token), subject, [...roles], newToken(), SESSION_SECONDS, name ?? null]);
    });
    return token;
  }

  /** Ends the session (and sweeps expired ones). */
  async end(token: string): Promise<void> {
    await this.sql.query(DELETE, [hashOf(token)]);
  }
}
