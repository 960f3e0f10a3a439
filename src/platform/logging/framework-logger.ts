import type { LoggerService } from '@nestjs/common';

/**
 * Nest's own accounts of assembling the application: one line per module
 * initialised and per route mapped (about seventy on every start). They
 * matter when a route or a provider goes missing, not on an ordinary start,
 * where they buried the banner: LOG_LEVEL=debug shows them.
 */
const ASSEMBLY_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** The level of a message Nest writes with `log`: its context is the last argument when it is a string. */
export function frameworkLogLevel(optionalParams: readonly unknown[]): 'debug' | 'info' {
  const context = optionalParams.at(-1);
  return typeof context === 'string' && ASSEMBLY_CONTEXTS.has(context) ? 'debug' : 'info';
}

/**
 * The application's logger as Nest sees it: the same pino logger, with
 * Nest's assembly messages moved from info to debug. Warnings and errors,
 * from Nest or anyone, keep their level.
 */
export class FrameworkLogger implements LoggerService {
  constructor(private readonly logger: Required<Omit<LoggerService, 'setLogLevels'>>) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    if (frameworkLogLevel(optionalParams) === 'debug') this.logger.debug(message, ...optionalParams);
    else this.logger.log(message, ...optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.error(message, ...optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.warn(message, ...optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.debug(message, ...optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.verbose(message, ...optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.fatal(message, ...optionalParams);
  }
}
