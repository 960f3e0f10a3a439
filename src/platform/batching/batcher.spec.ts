import { Batcher } from './batcher';

/** A write that holds each batch until released, recording what it was given. */
function heldWrites(): {
  batches: number[][];
  release: () => void;
  write: (items: number[]) => Promise<number[]>;
} {
  const batches: number[][] = [];
  let releases: (() => void)[] = [];
  return {
    batches,
    release: () => {
      const pending = releases;
      releases = [];
      pending.forEach((release) => release());
    },
    write: (items) => {
      batches.push(items);
      return new Promise((resolve) => releases.push(() => resolve(items.map((n) => n * 10))));
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('writes a lone item at once, and what arrives during a write in the next batch', async () => {
    const held = heldWrites();
    const batcher = new Batcher(held.write, 100);
    const first = batcher.add(1);
    await tick();
    expect(held.batches).toEqual([[1]]);
    const later = [batcher.add(2), batcher.add(3), batcher.add(4)];
    await tick();
    expect(held.batches).toEqual([[1]]);
    held.release();
    await expect(first).resolves.toBe(10);
    await tick();
    expect(held.batches).toEqual([[1], [2, 3, 4]]);
    held.release();
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40]);
  });

  it('splits what is queued into batches of at most maxBatch', async () => {
    const held = heldWrites();
    const batcher = new Batcher(held.write, 2);
    const all = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    let settled = false;
    void Promise.all(all).then(() => {
      settled = true;
    });
    while (!settled) {
      await tick();
      held.release();
    }
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30, 40, 50]);
    expect(held.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('under load, lets a turn of the event loop pass before the next batch, so that callers ready in it join', async () => {
    const held = heldWrites();
    const batcher = new Batcher(held.write, 100);
    const first = batcher.add(1);
    await tick();
    const second = batcher.add(2);
    held.release();
    // Ready in the turn of the event loop that follows the write: a caller whose I/O has just completed.
    const third = new Promise<number>((resolve) => setImmediate(() => resolve(batcher.add(3))));
    await first;
    await tick();
    await tick();
    expect(held.batches).toEqual([[1], [2, 3]]);
    held.release();
    await expect(Promise.all([second, third])).resolves.toEqual([20, 30]);
  });

  it('rejects every caller of a failed batch, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>((items) => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('connection lost')) : Promise.resolve(items);
    }, 10);
    const failed = batcher.add(1);
    const next = [batcher.add(2), batcher.add(3)];
    await expect(failed).rejects.toThrow('connection lost');
    await expect(Promise.all(next)).resolves.toEqual([2, 3]);
    await batcher.idle();
    expect(calls).toBe(2);
  });

  it('writes an item added as soon as the previous one resolved, by a caller that awaited it', async () => {
    const batcher = new Batcher<number, number>((items) => Promise.resolve(items.map((n) => n + 1)), 10);
    // Each add follows the previous one's resolution in the same chain of microtasks, with nothing else queued.
    let last = 0;
    for (let n = 0; n < 5; n++) last = await batcher.add(n);
    expect(last).toBe(5);
    await expect(batcher.add(41).then((first) => batcher.add(first))).resolves.toBe(43);
  });
});
