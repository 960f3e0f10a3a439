import { Pool, type Dispatcher } from 'undici';
import type { Context } from '@opentelemetry/api';
import { annotateSpan, currentContext, withTraceContext } from '../platform/telemetry/spans';
import { outgoingUrlAttributes } from '../platform/telemetry/redaction';
import { SourceError, toSourceError, type SourceLimits } from './source-adapter';

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  /** Appended to the endpoint's own path. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** The trace context the call is made in: sent on as traceparent, and its span names the answer. */
  traced?: Context;
}

/** Keep-alive sockets per source endpoint; more requests than this wait in the pool's queue. */
const POOL_CONNECTIONS = 64;

/**
 * The HTTP side shared by the SOAP and REST adapters: one undici keep-alive
 * pool per endpoint, and an answer read with the limits a source must keep.
 *
 * - Redirects are never followed: a 3xx is an unusable answer.
 * - The body is read up to `maxResponseBytes`; a larger declared or actual
 *   body ends the read and the socket (undici's `maxResponseSize` counts it
 *   as it arrives).
 * - The deadline's signal aborts the request and the body read alike.
 */
export class HttpSource {
  private readonly pool: Pool;
  private readonly basePath: string;
  /** The source as the fetch step's span names it: its origin only, since its paths name citizens' records. */
  private readonly spanAttributes: Record<string, string>;

  constructor(
    endpoint: string,
    private readonly limits: SourceLimits,
  ) {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('an HTTP source endpoint must be http:// or https://');
    }
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
      throw new Error('an HTTP source endpoint takes no credentials, query or fragment');
    }
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.spanAttributes = outgoingUrlAttributes(url.origin);
    this.pool = new Pool(url.origin, {
      connections: POOL_CONNECTIONS,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      // The deadline's signal bounds every call; these only stop a socket from hanging forever.
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
      maxResponseSize: limits.maxResponseBytes,
    });
  }

  async call({ method, path, headers, body, signal, traced = currentContext() }: HttpCall): Promise<HttpAnswer> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        method,
        path: this.basePath + path,
        headers: withTraceContext(headers, traced),
        body,
        signal,
      });
    } catch (error) {
      throw tooLarge(error, this.limits) ?? toSourceError(error, signal);
    }
    const { statusCode, headers: answerHeaders, body: stream } = response;
    annotateSpan({ ...this.spanAttributes, 'http.response.status_code': statusCode }, traced);
    if (statusCode >= 300 && statusCode < 400) {
      discard(stream);
      throw new SourceError('bad-response', `redirect ${statusCode} not followed`);
    }
    const declared = Number(answerHeaders['content-length'] ?? NaN);
    if (declared > this.limits.maxResponseBytes) {
      discard(stream);
      throw new SourceError('bad-response', `answer of ${declared} bytes exceeds the limit`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await stream.bytes();
    } catch (error) {
      throw tooLarge(error, this.limits) ?? toSourceError(error, signal);
    }
    const contentType = answerHeaders['content-type'];
    return {
      status: statusCode,
      contentType: (Array.isArray(contentType) ? contentType[0] : contentType)?.toLowerCase() ?? '',
      body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** The refusal of an answer that outgrew the size limit while it was read, if that is what `error` is. */
function tooLarge(error: unknown, limits: SourceLimits): SourceError | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return undefined;
  return new SourceError('bad-response', `answer exceeds the limit of ${limits.maxResponseBytes} bytes`);
}

/**
 * Drops an answer's body unread. Destroying an unfinished undici body emits
 * an abort error; nobody waits on it, so it is swallowed here rather than
 * surfacing as an unhandled error. The socket is closed, not reused.
 */
function discard(stream: Dispatcher.ResponseData['body']): void {
  stream.on('error', () => undefined);
  stream.destroy();
}
