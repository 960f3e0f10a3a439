import { CommanderError } from 'commander';
import { EXIT, exitCodeOf } from './exit-codes';
import { buildProgram } from './program';
import { UsageError } from './usage';

/**
 * Runs one command and sets the exit code from the one table (exit-codes.ts).
 * Errors are one line on standard error, never a stack trace.
 */
async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has written the help, the version, or its message (with a suggestion for a misspelt command).
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    const { isConnectionError } = await import('../platform/database/connection-errors');
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof UsageError ? '\n(add --help for usage)' : '';
    process.stderr.write(`error: ${message}${hint}\n`);
    process.exitCode = exitCodeOf(error, isConnectionError);
  }
}

void main(process.argv.slice(2));
