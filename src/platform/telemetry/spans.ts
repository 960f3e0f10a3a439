import { type Attributes, context, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

const tracer = trace.getTracer('passerelle');

/**
 * Runs `work` inside a span named `name`, a child of the current one, so the
 * queries and calls it makes nest under it. With tracing off the API's tracer
 * does nothing, and this costs a function call. Attributes name products,
 * purposes and organisations, never a citizen.
 */
export async function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
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

/** Runs `work` with tracing suppressed: for statements that would only be noise in a trace (BEGIN, COMMIT). */
export function untraced<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}
