import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { isProbeOrScrape } from '../http/quiet-paths';
import { redactQuery } from './redaction';

const tracer = trace.getTracer('passerelle');

/** Whether requests get a server span: from when tracing starts (tracing.ts). */
let tracingRequests = false;

export function traceIncomingRequests(on = true): void {
  tracingRequests = on;
}

/**
 * The server span's attributes, named as OpenTelemetry's HTTP conventions
 * name them: what was asked and how, never who asked for whom. An officer's
 * search names a citizen in its query string, so its values are redacted.
 */
export function requestAttributes(method: string, url: string, secure: boolean, httpVersion: string): Attributes {
  const queryAt = url.indexOf('?');
  return {
    'http.request.method': method,
    'url.scheme': secure ? 'https' : 'http',
    'url.path': queryAt < 0 ? url : url.slice(0, queryAt),
    ...(queryAt < 0 ? {} : { 'url.query': redactQuery(url.slice(queryAt + 1)) }),
    'network.protocol.version': httpVersion,
  };
}

/**
 * Wraps a server's request handler so that each request has a server span,
 * started as it arrives (a child of the caller's W3C trace context, when it
 * sends one) and ended when its response closes, with its status. `handle`
 * runs inside the span's context, so what it does synchronously as the request
 * arrives (the correlation id, rememberRequestContext) sees it.
 *
 * This is all the server side needs of an HTTP instrumentation: OpenTelemetry's
 * own binds every request and response emitter to the context and computes
 * some twenty attributes, and cost the exchange about a sixth of the gateway's
 * CPU (see README, Telemetry). With tracing off it costs a test of a boolean.
 */
export function withRequestSpans(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const url = request.url ?? '/';
    if (!tracingRequests || isProbeOrScrape(url)) {
      handle(request, response);
      return;
    }
    const method = request.method ?? 'GET';
    const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: requestAttributes(method, url, secure, request.httpVersion) },
      parent,
    );
    response.once('close', () => {
      const status = response.statusCode;
      span.setAttribute('http.response.status_code', status);
      // In error for a 5xx, or an answer cut off before its end; a 4xx is the caller's, answered as designed.
      if (status >= 500 || !response.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => handle(request, response));
  };
}
