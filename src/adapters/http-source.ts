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
    connections = POOL_CONNECTIONS,
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
      connections,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      // The deadline's signal bounds every call; these only stop a socket from hanging forever.
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
      maxResponseSize: limits.maxResponseBytes,
    });
  }

  call({ method, path, headers, body, signal, traced = currentContext() }: HttpCall): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const reader = new AnswerReader(this.limits, signal, (answer) => {
        if (answer instanceof Error) return reject(answer);
        annotateSpan({ ...this.spanAttributes, 'http.response.status_code': answer.status }, traced);
        resolve(answer);
      });
      if (signal.aborted) return reader.fail(signal.reason);
      try {
        this.pool.dispatch(
          { method, path: this.basePath + path, headers: withTraceContext(headers, traced), body },
          reader,
        );
      } catch (error) {
        reader.fail(error);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * One call's answer, read as it arrives: the status, the content type and
 * the body's chunks, without a stream in between (undici's handler API; a
 * readable body per call cost the gateway more than the read itself). A
 * redirect, or a body declared larger than the limit, ends the call and its
 * socket at the headers; undici ends a body that outgrows the limit as it
 * comes (`maxResponseSize`). The deadline's signal ends the call wherever it
 * is, in the pool's queue included. `settle` is called once.
 */
class AnswerReader implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private contentType = '';
  private readonly chunks: Buffer[] = [];
  private settled = false;
  private readonly onAbort = (): void => this.fail(this.signal.reason);

  constructor(
    private readonly limits: SourceLimits,
    private readonly signal: AbortSignal,
    private readonly settle: (answer: HttpAnswer | Error) => void,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Ends the call with `cause` (its socket too, once it has one), unless it has ended already. */
  fail(cause: unknown): void {
    if (this.settled) return;
    this.end(tooLarge(cause, this.limits) ?? toSourceError(cause, this.signal));
    this.controller?.abort(cause instanceof Error ? cause : new Error(String(cause)));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Ended while it waited for a socket: it goes no further.
    if (this.settled) controller.abort(new Error('the call had ended before it was sent'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode >= 300 && statusCode < 400) {
      return this.fail(new SourceError('bad-response', `redirect ${statusCode} not followed`));
    }
    const declared = Number(headers['content-length'] ?? NaN);
    if (declared > this.limits.maxResponseBytes) {
      return this.fail(new SourceError('bad-response', `answer of ${declared} bytes exceeds the limit`));
    }
    const type = headers['content-type'];
    this.status = statusCode;
    this.contentType = (Array.isArray(type) ? type[0] : type)?.toLowerCase() ?? '';
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.settled) this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.end({ status: this.status, contentType: this.contentType, body: Buffer.concat(this.chunks) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private end(answer: HttpAnswer | Error): void {
    this.settled = true;
    this.signal.removeEventListener('abort', this.onAbort);
    this.settle(answer);
  }
}

/** The refusal of an answer that outgrew the size limit while it was read, if that is what `error` is. */
function tooLarge(error: unknown, limits: SourceLimits): SourceError | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return undefined;
  return new SourceError('bad-response', `answer exceeds the limit of ${limits.maxResponseBytes} bytes`);
}
