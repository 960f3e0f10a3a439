// Kept apart from sql.ts, which loads Nest and TypeORM, so that the CLI can tell "cannot connect" without them.

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P03']);

/** True for errors that mean "the database cannot be reached", not "the query is wrong". */
export function isConnectionError(error: unknown): boolean {
  // Duck-typed: errors raised by Node's socket layer need not share this realm's Error.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_ERRORS.has(code) || code.startsWith('08'))) return true;
  if (typeof message !== 'string') return false;
  // pg-pool may re-wrap connect failures in an Error that keeps only the message.
  return /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND)\b|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}
