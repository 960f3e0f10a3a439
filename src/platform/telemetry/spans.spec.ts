import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { withTraceContext } from './spans';

describe('withTraceContext', () => {
  const span = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
  };
  const inSpan = trace.setSpanContext(ROOT_CONTEXT, span);

  afterEach(() => propagation.disable());

  it('adds nothing while tracing is off', () => {
    expect(withTraceContext({ accept: 'application/json' }, inSpan)).toEqual({ accept: 'application/json' });
  });

  it('adds the W3C traceparent of the current span when tracing is on, and leaves the given headers as they were', () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const given = { accept: 'application/json' };
    expect(withTraceContext(given, inSpan)).toEqual({
      accept: 'application/json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(given).toEqual({ accept: 'application/json' });
  });
});
