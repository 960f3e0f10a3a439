import { type Attributes, type Context, context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

const tracer = trace.getTracer('passerelle');

/**
 * Runs `work` inside a span named `name`, a child of the current one, so the
 * queries and calls it makes nest under it. With tracing off the API's tracer
 * does nothing, and this costs a function call. What the work is about is
 * named once, on the request's span (annotateRequest).
 */
export async function inSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work();
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

/** Attributes of the current span (the request's, or a step's): never a citizen. */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
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
