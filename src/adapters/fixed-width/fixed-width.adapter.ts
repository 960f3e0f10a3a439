import { connect, type Socket } from 'node:net';
import type { LegacyRecord } from '../../contracts/mapping';
import {
  SourceError,
  toSourceError,
  type FetchContext,
  type SourceAdapter,
  type SourceLimits,
} from '../source-adapter';
import { decodeRecord } from './copybook';
import { checkLayout, type FixedWidthSettings } from './copybook-layout';
import {
  decodeResponse,
  encodeRequest,
  FOUND,
  FrameReader,
  NOT_FOUND,
  responseFrameLength,
  SERVER_ERROR,
} from './record-protocol';

/**
 * Reads one record per citizen from a mainframe record service over TCP
 * (record-protocol.ts) and decodes it with the contract's copybook layout.
 *
 * Each fetch opens its own connection and closes it after the answer,
 * although the service would take more requests on it. A connection that
 * timed out or broke mid-frame is then never reused, so a late answer to one
 * request can never be read as the answer to the next; there is no idle
 * socket for the service to drop behind our back; and a connect on the local
 * network costs far less than the transaction behind it.
 *
 * No retries here: the wrapper above retries idempotent reads.
 */
export class FixedWidthAdapter implements SourceAdapter {
  readonly kind = 'fixed-width' as const;
  private readonly host: string;
  private readonly port: number;
  /** The largest response frame read: the layout's, or less if the limits say so. */
  private readonly maxFrameLength: number;
  /** Connections in flight, so that close() can end them. */
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly settings: FixedWidthSettings,
    endpoint: string,
    limits: SourceLimits,
  ) {
    const problems = checkLayout(settings);
    if (problems.length > 0) {
      throw new Error(`invalid fixed-width layout: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`);
    }
    const url = new URL(endpoint);
    if (url.protocol !== 'tcp:' || url.hostname === '' || url.port === '') {
      throw new Error('a fixed-width endpoint must be tcp://host:port');
    }
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port);
    this.maxFrameLength = Math.min(limits.maxResponseBytes, responseFrameLength(settings.recordLength));
  }

  async fetch(localId: string, { signal, correlationId }: FetchContext): Promise<LegacyRecord | null> {
    const { transaction, encoding, recordLength } = this.settings;
    // The source never saw an id it cannot be sent; retrying cannot help, so this is not `unavailable`.
    const request = unusable('local id cannot be sent', () =>
      encodeRequest({ transaction, key: localId, correlationId }, encoding),
    );
    const payload = await this.exchange(request, signal);
    const response = unusable('malformed response', () => decodeResponse(payload, recordLength, encoding));
    switch (response.code) {
      case FOUND:
        return unusable('undecodable record', () => decodeRecord(response.record, this.settings));
      case NOT_FOUND:
        return null;
      case SERVER_ERROR:
        throw new SourceError('bad-response', `return code ${SERVER_ERROR}`);
    }
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return Promise.resolve();
  }

  /** Sends one request frame on a new connection; resolves with the payload of the first frame back. */
  private exchange(request: Buffer, signal: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(toSourceError(signal.reason, signal));
        return;
      }
      const socket = connect({ host: this.host, port: this.port });
      const reader = new FrameReader(this.maxFrameLength);
      let received = 0;
      let settled = false;
      const settle = (error: unknown, payload?: Buffer): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        this.sockets.delete(socket);
        socket.destroy();
        if (payload !== undefined) resolve(payload);
        else reject(toSourceError(error, signal));
      };
      // Destroying the socket is what stops the exchange; toSourceError makes the abort a timeout.
      const onAbort = (): void => settle(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.once('connect', () => socket.write(request));
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        let payloads: Buffer[];
        try {
          payloads = reader.push(chunk);
        } catch (error) {
          settle(new SourceError('bad-response', `malformed frame: ${(error as Error).message}`, { cause: error }));
          return;
        }
        // One request, one answer: whatever follows the first frame is not read.
        if (payloads.length > 0) settle(undefined, payloads[0]);
      });
      socket.on('error', (error) => settle(error));
      // Reached only when the service hangs up without an error before a whole frame.
      socket.on('close', () =>
        settle(
          received === 0
            ? new SourceError('unavailable', 'connection closed before the answer', { connection: true })
            : new SourceError('bad-response', 'connection closed inside a frame'),
        ),
      );
    });
  }
}

/** Runs a parsing step; its failure means the answer cannot be used. Messages name positions, never content. */
function unusable<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw new SourceError('bad-response', `${what}: ${(error as Error).message}`, { cause: error });
  }
}
