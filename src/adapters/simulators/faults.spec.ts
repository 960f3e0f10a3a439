import { Faults } from './faults';

/** Whether `promise` has settled once everything already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('Faults', () => {
  it('draws reset, error, garbage and answer by their rates', () => {
    const rolls = [0.05, 0.15, 0.25, 0.95];
    const faults = new Faults({ resetRate: 0.1, errorRate: 0.1, garbageRate: 0.1 }, () => rolls.shift() ?? 0);
    expect([faults.draw(), faults.draw(), faults.draw(), faults.draw()]).toEqual([
      'reset',
      'error',
      'garbage',
      'answer',
    ]);
  });

  it('answers at once when nothing is held', async () => {
    const faults = new Faults();
    expect(await settled(faults.next())).toBe(true);
    expect(faults.held).toBe(0);
  });

  it('holds requests until released, counting them, then draws their fault', async () => {
    const faults = new Faults({ errorRate: 1 });
    faults.hold();
    const first = faults.next();
    const second = faults.next();
    expect(await settled(first)).toBe(false);
    expect(faults.held).toBe(2);

    faults.release();
    await expect(Promise.all([first, second])).resolves.toEqual(['error', 'error']);
    expect(faults.held).toBe(0);
    expect(await settled(faults.next())).toBe(true);
  });

  it('lets the held requests go on reset, with the faults cleared', async () => {
    const faults = new Faults({ resetRate: 1 });
    faults.hold();
    faults.hold();
    const held = faults.next();
    expect(await settled(held)).toBe(false);
    faults.reset();
    await expect(held).resolves.toBe('answer');
  });
});
