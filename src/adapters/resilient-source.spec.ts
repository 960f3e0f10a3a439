import { setTimeout as sleep } from 'node:timers/promises';
import { ResilientSource, SourceOpenCircuitError, sourceBreaker } from './resilient-source';
import type { LegacyRecord } from '../contracts/mapping';
import { SourceError, type FetchContext, type SourceAdapter } from './source-adapter';

type Step = LegacyRecord | null | SourceError | 'hang';

/** An adapter that plays a script, one step per call, and records what it was given. */
class ScriptedAdapter implements SourceAdapter {
  readonly kind = 'rest' as const;
  readonly calls: FetchContext[] = [];

  constructor(private readonly script: Step[]) {}

  fetch(_localId: string, context: FetchContext): Promise<LegacyRecord | null> {
    this.calls.push(context);
    const step = this.script[Math.min(this.calls.length - 1, this.script.length - 1)];
    if (step === 'hang') {
      return new Promise((_resolve, reject) => {
        context.signal.addEventListener('abort', () => reject(new SourceError('timeout', 'deadline exceeded')));
      });
    }
    return step instanceof SourceError ? Promise.reject(step) : Promise.resolve(step);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const RECORD = { a: '1' };
const reset = (): SourceError => new SourceError('unavailable', 'ECONNRESET', { connection: true });
const serverError = (): SourceError => new SourceError('bad-response', 'HTTP 500');
const OPTIONS = { deadlineMs: 2_000, breakerFailures: 3, halfOpenAfterMs: 100 };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('ResilientSource', () => {
  it('retries once after a connection error and returns the second answer', async () => {
    const adapter = new ScriptedAdapter([reset(), RECORD]);
    await expect(new ResilientSource('s', adapter, OPTIONS).fetch('id', 'c')).resolves.toEqual(RECORD);
    expect(adapter.calls).toHaveLength(2);
    // Both attempts share one deadline.
    expect(adapter.calls[1].deadline).toBe(adapter.calls[0].deadline);
  });

  it('retries only once', async () => {
    const adapter = new ScriptedAdapter([reset(), reset(), RECORD]);
    const error = await rejection(new ResilientSource('s', adapter, OPTIONS).fetch('id', 'c'));
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).failure).toBe('unavailable');
    expect(adapter.calls).toHaveLength(2);
  });

  it('does not retry an answer that came back unusable', async () => {
    const adapter = new ScriptedAdapter([serverError(), RECORD]);
    expect(await rejection(new ResilientSource('s', adapter, OPTIONS).fetch('id', 'c'))).toBeInstanceOf(SourceError);
    expect(adapter.calls).toHaveLength(1);
  });

  it('does not start a retry that could not finish before the deadline', async () => {
    const adapter = new ScriptedAdapter([reset(), RECORD]);
    const source = new ResilientSource('s', adapter, { ...OPTIONS, deadlineMs: 60 });
    expect(await rejection(source.fetch('id', 'c'))).toBeInstanceOf(SourceError);
    expect(adapter.calls).toHaveLength(1);
  });

  it('aborts the adapter at the deadline', async () => {
    const adapter = new ScriptedAdapter(['hang']);
    const error = await rejection(new ResilientSource('s', adapter, { ...OPTIONS, deadlineMs: 50 }).fetch('id', 'c'));
    expect((error as SourceError).failure).toBe('timeout');
    expect(adapter.calls[0].signal.aborted).toBe(true);
  });

  it('passes the correlation id through', async () => {
    const adapter = new ScriptedAdapter([RECORD]);
    await new ResilientSource('s', adapter, OPTIONS).fetch('id', 'corr-1');
    expect(adapter.calls[0].correlationId).toBe('corr-1');
  });

  it('opens after consecutive failures, refuses without calling, then lets one probe through', async () => {
    const adapter = new ScriptedAdapter([serverError(), serverError(), serverError(), RECORD]);
    const source = new ResilientSource('s', adapter, OPTIONS);
    for (let i = 0; i < 3; i++) expect(await rejection(source.fetch('id', 'c'))).toBeInstanceOf(SourceError);
    const open = await rejection(source.fetch('id', 'c'));
    expect(open).toBeInstanceOf(SourceOpenCircuitError);
    expect((open as SourceOpenCircuitError).retryAfterSeconds).toBe(1);
    expect(adapter.calls).toHaveLength(3);

    await sleep(OPTIONS.halfOpenAfterMs + 20);
    await expect(source.fetch('id', 'c')).resolves.toEqual(RECORD);
    expect(adapter.calls).toHaveLength(4);
  });

  it('counts a success between failures as a reset', async () => {
    const adapter = new ScriptedAdapter([serverError(), serverError(), RECORD, serverError(), serverError(), RECORD]);
    const source = new ResilientSource('s', adapter, OPTIONS);
    for (let i = 0; i < 5; i++) await rejection(source.fetch('id', 'c'));
    await expect(source.fetch('id', 'c')).resolves.toEqual(RECORD);
  });

  it('shares one breaker between the products of one endpoint', async () => {
    const breaker = sourceBreaker(OPTIONS);
    const failing = new ScriptedAdapter([serverError()]);
    const healthy = new ScriptedAdapter([RECORD]);
    const first = new ResilientSource('endpoint', failing, OPTIONS, breaker);
    const second = new ResilientSource('endpoint', healthy, OPTIONS, breaker);
    for (let i = 0; i < 3; i++) await rejection(first.fetch('id', 'c'));
    expect(await rejection(second.fetch('id', 'c'))).toBeInstanceOf(SourceOpenCircuitError);
    expect(healthy.calls).toHaveLength(0);
  });
});
