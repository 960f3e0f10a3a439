import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

const tracer = trace.getTracer('passerelle');

/**
 * Runs `work` inside a span named `name`, a child of `parent`'s, and hands
 * `work` the span's context: what it calls later, after an await, is told it
 * (the context manager keeps a context only while the call that set it runs,
 * synchronous-context-manager.ts). With tracing off the API's tracer does
 * nothing, and this costs a function call. What the work is about is named
 * once, on the request's span (annotateSpan).
 */
export async function inSpan<T>(
  name: string,
  work: (at: Context) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer.startActiveSpan(name, {}, parent, async (span) => {
    try {
      return await work(trace.setSpan(parent, span));
    } catch (error) {
      // The problem code only: an error's message may quote what it failed on.
      const code = (error as { code?: unknown }).code;
      span.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === 'string' ? code : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Attributes of the span of `at` (the request's, or a step's): never a citizen. */
export function annotateSpan(attributes: Attributes, at: Context = context.active()): void {
  trace.getSpan(at)?.setAttributes(attributes);
}

/** The trace context of each request being served, from its arrival; none is kept while tracing is off. */
const requestContexts = new WeakMap<object, Context>();

/**
 * Keeps the trace context active now, as `request` arrives (its server
 * span's), for the work done later on its behalf: called while the HTTP
 * instrumentation's context is still the active one.
 */
export function rememberRequestContext(request: object): void {
  const active = context.active();
  if (active !== ROOT_CONTEXT) requestContexts.set(request, active);
}

/** The trace context `request` arrived in; the root when it was not traced. */
export function requestContextOf(request: object): Context {
  return requestContexts.get(request) ?? ROOT_CONTEXT;
}

/**
 * `headers` with the trace context (W3C `traceparent`) of `at` added, for a
 * call to a source: its own spans, if it traces, join the exchange's trace.
 * With tracing off nothing is added.
 */
export function withTraceContext(
  headers: Record<string, string>,
  at: Context = context.active(),
): Record<string, string> {
  const carrier = { ...headers };
  propagation.inject(at, carrier);
  return carrier;
}

/** Runs `work` with tracing suppressed: for statements that would only be noise in a trace (BEGIN, COMMIT). */
export function untraced<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}

/** The current trace context: to run work later in it with `inContext` (a statement sent with others, say). */
export function currentContext(): Context {
  return context.active();
}

/** Runs `work` in the trace context `at`, taken earlier by `currentContext`. */
export function inContext<T>(at: Context, work: () => T): T {
  return context.with(at, work);
}
