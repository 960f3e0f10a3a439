import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { CorrelatedRequest } from '../http/http-servers';
import { isProbeOrScrape } from '../http/quiet-paths';

/**
 * Query parameters whose values never reach a log line: citizen ids (the
 * officer's audit search takes `?citizen=`) and anything token-like.
 */
const SENSITIVE_QUERY_PARAMETERS = new Set(['citizen', 'citizenid', 'token', 'access_token', 'code', 'state']);

/** A name as a handler would read it; undefined when it cannot be decoded (then it cannot be told apart). */
function decodedName(name: string): string | undefined {
  try {
    return decodeURIComponent(name).toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * A serializer must never throw: a throw here turned a malformed query into a 500. A name that will not
 * decode could hide `citizen`, so its value is redacted too.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0];
      const decoded = decodedName(name);
      return decoded === undefined || SENSITIVE_QUERY_PARAMETERS.has(decoded) ? `${name}=[Redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

/** Paths pino censors wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'citizen',
  'citizenId',
  '*.citizen',
  '*.citizenId',
  'body.citizen',
  'password',
  '*.password',
  'token',
  '*.token',
];

/**
 * The fields of a request that its access-log line carries, and all that a log line may say of one. As a
 * serializer it must not throw, whatever it is handed as a request: a request without its socket has no address.
 */
export function requestFields(request: IncomingMessage): Record<string, unknown> {
  const socket = request.socket as IncomingMessage['socket'] | undefined;
  return {
    id: (request as CorrelatedRequest).correlationId ?? 'none',
    method: request.method,
    url: redactUrl(request.url ?? '/'),
    remoteAddress: socket?.remoteAddress,
  };
}

/** What every logger of the gateway shares: its level, the paths it censors, and how it writes an error. */
function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
}

/**
 * nestjs-pino's parameters: the application's logger (PinoLogger, Nest's own
 * messages), and no request middleware of its own. That middleware keeps each
 * request's logger in an AsyncLocalStorage, whose promise hooks, on Node 20,
 * cost about a tenth of the gateway's CPU under load. requestLogger logs the
 * requests instead, and the lines written while serving one name its
 * correlationId themselves.
 */
export function loggerParams(level: string, destination?: DestinationStream): Params {
  const shared = loggerOptions(level);
  // A request handed to the application's logger is written as the access log writes it, never whole.
  const options = { ...shared, serializers: { ...shared.serializers, req: requestFields } };
  // useExisting: nestjs-pino builds no pino-http of its own, which nothing would call.
  return { pinoHttp: destination === undefined ? options : [options, destination], forRoutes: [], useExisting: true };
}

/**
 * One access-log line per request, at info, given the raw request and
 * response as Fastify received them: the line pino-http writes (`request
 * completed`, or `request errored` with an error for a 5xx), written when the
 * response finishes or its connection closes. pino-http also made a child
 * logger per request, its request serialized and redacted, whether or not a
 * line was written; nothing here reads it, so nothing is made but the line.
 * Below info, no line is written, and nothing is done per request.
 */
export function requestLogger(
  level: string,
  destination?: DestinationStream,
): (request: IncomingMessage, response: ServerResponse) => void {
  const logger = pino(loggerOptions(level), destination ?? pino.destination(1));
  if (!logger.isLevelEnabled('info')) return () => undefined;
  return (request, response) => {
    if (isProbeOrScrape(request.url ?? '/')) return;
    const started = Date.now();
    // Read now: once the connection has closed, its address is gone.
    const req = requestFields(request);
    const done = (): void => {
      response.off('close', done);
      response.off('finish', done);
      const res = { statusCode: response.headersSent ? response.statusCode : null, headers: response.getHeaders() };
      const responseTime = Date.now() - started;
      if (response.statusCode >= 500) {
        const err = new Error(`failed with status code ${response.statusCode}`);
        logger.info({ req, res, err, responseTime }, 'request errored');
      } else {
        logger.info({ req, res, responseTime }, 'request completed');
      }
    };
    response.on('close', done);
    response.on('finish', done);
  };
}
