import { wallClockToInstant } from './local-time';

describe('wallClockToInstant', () => {
  it("reads a form's wall-clock time in Quebec's zone, summer and winter", () => {
    expect(wallClockToInstant('2026-07-01T12:00')).toBe('2026-07-01T16:00:00.000Z');
    expect(wallClockToInstant('2026-12-01T12:00')).toBe('2026-12-01T17:00:00.000Z');
    // The night clocks go back: 01:30 happens twice; the first (daylight time) is taken.
    expect(wallClockToInstant('2026-11-01T01:30')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('leaves anything else to the filter', () => {
    expect(wallClockToInstant(undefined)).toBeUndefined();
    expect(wallClockToInstant('2026-07-01T12:00:00Z')).toBe('2026-07-01T12:00:00Z');
    expect(wallClockToInstant('yesterday')).toBe('yesterday');
  });
});
