import type { AppConfig } from '../platform/config/config';
import { UsageError } from './usage';

/** The option every read command takes: one JSON document on standard output, and nothing else there. */
export interface JsonOption {
  json?: boolean;
}

/** Writes to standard output, waiting when the pipe is full (an export may be gigabytes). */
export async function write(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** A read command's result: the JSON document with --json, the text otherwise. */
export async function print(options: JsonOption, text: () => string, json: () => unknown): Promise<void> {
  await write(options.json === true ? `${JSON.stringify(json(), null, 2)}\n` : `${text()}\n`);
}

/**
 * The configuration from the environment, loaded when a command needs it (not
 * for --help): a bad variable is a usage error that names it.
 */
export async function loadCliConfig(): Promise<AppConfig> {
  const { ConfigError, loadConfig } = await import('../platform/config/config');
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
