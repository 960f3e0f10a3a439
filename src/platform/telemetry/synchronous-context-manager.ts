import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

/**
 * An OpenTelemetry context manager whose context lasts as long as the call
 * that set it, and no longer: what `with` sets is active until `fn` returns,
 * and work resumed later (after an await, in a callback) starts from the root.
 *
 * The SDK's default keeps the context across awaits with an AsyncLocalStorage,
 * which on Node 20 installs promise hooks: every promise and every await in the
 * process pays for them, traced or not, and they were most of what tracing cost
 * the gateway. Here the context travels explicitly instead: each request's is
 * taken when it arrives (rememberRequestContext), and the exchange hands its
 * steps' contexts to what they call (spans.ts).
 */
export class SynchronousContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  /** A function bound to `context` runs in it each time it is called; anything else is returned as it is. */
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the bound function runs in this manager
    const manager = this;
    const original = target as unknown as (...args: unknown[]) => unknown;
    const bound = function (this: unknown, ...args: unknown[]): unknown {
      return manager.with(context, () => original.apply(this, args));
    };
    return bound as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}
