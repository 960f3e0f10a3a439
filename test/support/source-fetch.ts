import { SourceError, type FetchContext } from '../../src/adapters/source-adapter';

export const CORRELATION_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** What the resilience wrapper hands an adapter: a deadline as a signal and a timestamp. */
export function fetchContext(timeoutMs = 10_000): FetchContext {
  return { signal: AbortSignal.timeout(timeoutMs), deadline: Date.now() + timeoutMs, correlationId: CORRELATION_ID };
}

/** The SourceError a fetch rejects with. Its message must never carry the local id. */
export async function sourceFailure(fetching: Promise<unknown>, localId: string): Promise<SourceError> {
  const error: unknown = await fetching.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SourceError);
  expect((error as SourceError).message).not.toContain(localId);
  return error as SourceError;
}
