import { AsyncResource } from 'node:async_hooks';

/**
 * Coalesces concurrent calls into batches: one batch is written at a time,
 * and everything that arrives meanwhile goes into the next, up to `maxBatch`.
 * Under load many callers share one round trip, and a batch that follows a
 * batch waits one turn of the event loop for the callers ready in it; alone,
 * a caller waits for nothing but its own write. Each caller's promise settles with its own
 * result once its batch is written, or rejects with the batch's error.
 *
 * A batch belongs to no single caller: it is written in the context the
 * Batcher was made in, not the first caller's (its trace, its log fields).
 */
export class Batcher<T, R> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private readonly startDrain = AsyncResource.bind(() => this.drain());

  constructor(
    /** Writes a batch; resolves with one result per item, in order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  /**
   * Starts a drain unless one is under way. An item can arrive after the drain
   * saw an empty queue but before it is marked finished (its caller awaited the
   * previous item and added the next at once): the finished drain starts
   * another for it.
   */
  private kick(): void {
    if (this.writing !== undefined) return;
    this.writing = this.startDrain().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Resolves once everything added so far has been written (or has failed). */
  async idle(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async drain(): Promise<void> {
    for (let first = true; this.queue.length > 0; first = false) {
      // Under load (a batch follows a batch), one turn of the event loop first: the callers whose I/O has
      // completed meanwhile join this batch instead of the next, and each batch's cost is shared by more.
      if (!first) await new Promise((resolve) => setImmediate(resolve));
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((pending) => pending.item));
        batch.forEach((pending, i) => pending.resolve(results[i]));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
  }
}
