import { context, createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import { inSpan, rememberRequestContext, requestContextOf } from './spans';
import { SynchronousContextManager } from './synchronous-context-manager';

const KEY = createContextKey('test');

describe('SynchronousContextManager', () => {
  const manager = new SynchronousContextManager();
  const marked = (value: string) => ROOT_CONTEXT.setValue(KEY, value);

  it('makes a context active while the call that set it runs, nested, and restores the previous one after', () => {
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const seen = manager.with(marked('outer'), () => {
      const inner = manager.with(marked('inner'), () => manager.active().getValue(KEY));
      return [inner, manager.active().getValue(KEY)];
    });
    expect(seen).toEqual(['inner', 'outer']);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('restores the previous context when the call throws', () => {
    expect(() =>
      manager.with(marked('failing'), () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('keeps nothing across an await: resumed work starts from the root', async () => {
    const resumed = await manager.with(marked('before'), async () => {
      const before = manager.active().getValue(KEY);
      await Promise.resolve();
      return [before, manager.active().getValue(KEY)];
    });
    expect(resumed).toEqual(['before', undefined]);
  });

  it('runs a bound function in its context each time it is called, with its receiver and arguments', () => {
    const bound = manager.bind(marked('bound'), function (this: { n: number }, add: number) {
      return [manager.active().getValue(KEY), this.n + add];
    });
    expect(bound.call({ n: 1 }, 2)).toEqual(['bound', 3]);
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const notAFunction = { n: 1 };
    expect(manager.bind(marked('bound'), notAFunction)).toBe(notAFunction);
  });
});

describe('spans with the context handed on', () => {
  const exporter = new tracing.InMemorySpanExporter();

  beforeAll(() => {
    context.setGlobalContextManager(new SynchronousContextManager());
    trace.setGlobalTracerProvider(
      new tracing.BasicTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] }),
    );
  });

  afterAll(() => {
    trace.disable();
    context.disable();
  });

  it('makes a step the child of the request it was handed, however late it starts', async () => {
    const request = {};
    const server = trace.getTracer('test').startSpan('server');
    context.with(trace.setSpan(context.active(), server), () => rememberRequestContext(request));
    await new Promise((resolve) => setImmediate(resolve));
    expect(trace.getSpan(context.active())).toBeUndefined();

    let handed: string | undefined;
    await inSpan(
      'step',
      async (at) => {
        await Promise.resolve();
        handed = trace.getSpan(at)?.spanContext().spanId;
      },
      requestContextOf(request),
    );
    server.end();

    const step = exporter.getFinishedSpans().find((span) => span.name === 'step');
    expect(step?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(handed).toBe(step?.spanContext().spanId);
    expect(requestContextOf({})).toBe(ROOT_CONTEXT);
  });
});
