import { jsonDepthExceeds } from './json-depth';

describe('jsonDepthExceeds', () => {
  it('accepts a body exactly at the limit', () => {
    expect(jsonDepthExceeds('{"a":{"b":[1]}}', 3)).toBe(false);
  });

  it('refuses a body one level past the limit', () => {
    expect(jsonDepthExceeds('{"a":{"b":[[1]]}}', 3)).toBe(true);
  });

  it('does not count brackets inside strings, including escaped quotes', () => {
    expect(jsonDepthExceeds('{"a":"[[[[{{{{\\"[[[["}', 1)).toBe(false);
  });

  it('counts siblings by depth, not by total', () => {
    expect(jsonDepthExceeds('[[1],[2],[3],[4]]', 2)).toBe(false);
  });

  it('refuses a deeply nested attack body', () => {
    expect(jsonDepthExceeds('['.repeat(100000) + ']'.repeat(100000), 32)).toBe(true);
  });
});
