import { UsageError } from './usage';

/**
 * How every command exits, so that a script can tell a broken audit chain from
 * a typo and from a database that is down. Documented in `cli --help` and the
 * README; `audit verify` had these four first, and the rest follow it.
 */
export const EXIT = {
  /** Done, or the thing checked holds. */
  ok: 0,
  /** The thing checked does not hold: an audit chain broken, contracts invalid, a reload some node did not make. */
  failed: 1,
  /** The command line cannot be run as written: bad or missing arguments, an unknown command or organisation. */
  usage: 2,
  /** Nothing could be checked: the database, its schema, or a running gateway's keys or bus out of reach. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok: done, or the thing checked holds
  1  failure of the thing checked: audit chain broken, contracts invalid, a reload that did not reach every node
  2  usage error: bad or missing arguments, unknown command or organisation, invalid configuration
  3  cannot connect: database unreachable or its schema not migrated (run db migrate), the running gateway's
     JWKS or cluster bus out of reach, evidence that would prove the audit log missing
`;

/** What was checked does not hold; the message says what and where. */
export class CheckFailed extends Error {}

/** Nothing could be checked: the message names what is out of reach, never a password. */
export class CannotConnect extends Error {}

/** The schema is older than this version: reads refuse rather than misread, and never migrate. */
export class SchemaNotCurrent extends CannotConnect {}

/**
 * The exit code for an error that ended a command. Errors of other layers are
 * turned into the CLI's classes where they are caught; one that is not, and
 * that `isConnectionError` does not recognise, is a failure (1): never taken
 * for "all is well" nor for a usage error. Pure.
 */
export function exitCodeOf(error: unknown, isConnectionError: (error: unknown) => boolean): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof CannotConnect || isConnectionError(error)) return EXIT.unreachable;
  return EXIT.failed;
}
