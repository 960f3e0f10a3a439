import type { ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { DomainError } from '../errors/domain-error';

/** The slowest a request body may arrive. */
export interface BodyRateFloor {
  /** Time every body has before the rate counts, so a slow start on a poor network is not cut. */
  graceMs: number;
  /** Each this many bytes received buy one more second. */
  minBytesPerSecond: number;
}

/**
 * When a body that began at `startedAt` and has brought `receivedBytes` so far
 * is too slow: the grace, plus one second for every `minBytesPerSecond` bytes
 * (Apache's mod_reqtimeout `MinRate` rule). A client that trickles a few bytes
 * now and then cannot hold its slot for long; a large body that keeps coming
 * at the floor rate is never cut. Pure.
 */
export function bodyDeadline(startedAt: number, receivedBytes: number, floor: BodyRateFloor): number {
  return startedAt + floor.graceMs + (receivedBytes / floor.minBytesPerSecond) * 1000;
}

/** Whether a request announces a body (a length other than 0, or chunks). */
export function announcesBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

/**
 * The request body as the parser will read it, cut with a 408
 * `request-timeout` error once it falls behind `floor`; the answer then closes
 * the connection, as the rest of that body will never be read. The timer is
 * armed once per deadline, not per chunk, and goes when the body has been read
 * or the response is over.
 */
export function watchBodyRate(raw: Readable, response: ServerResponse, floor: BodyRateFloor): Readable {
  const startedAt = Date.now();
  let received = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(null, chunk);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const arm = (at: number): void => {
    timer = setTimeout(check, Math.max(0, at - Date.now()));
    timer.unref();
  };
  function check(): void {
    // A body nobody reads (the route takes none, or the parser refused it already) holds nothing up.
    if (counted.listenerCount('error') === 0) return;
    const deadline = bodyDeadline(startedAt, received, floor);
    if (Date.now() < deadline) {
      arm(deadline);
      return;
    }
    if (!response.headersSent) response.setHeader('connection', 'close');
    raw.unpipe(counted);
    counted.destroy(
      new DomainError('request-timeout', `The request body must arrive at ${floor.minBytesPerSecond} bytes/s or more`),
    );
  }
  arm(bodyDeadline(startedAt, 0, floor));
  const stop = (): void => clearTimeout(timer);
  counted.once('end', stop);
  counted.once('close', stop);
  response.once('close', () => counted.destroy());
  // pipe() does not carry errors: a client that goes away mid-body ends the parser's read too.
  raw.once('error', (error) => counted.destroy(counted.listenerCount('error') > 0 ? error : undefined));
  raw.pipe(counted);
  return counted;
}
