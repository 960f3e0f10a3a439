import { jsonDepthExceeds, jsonDuplicateKey } from './json-depth';

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

describe('jsonDuplicateKey', () => {
  it('finds a name given twice in one object, escaped or not, at any depth', () => {
    expect(jsonDuplicateKey('{"a":1,"a":2}')).toBe('a');
    expect(jsonDuplicateKey('{"a":1,"\\u0061":2}')).toBe('a');
    expect(jsonDuplicateKey('{"x":[{"b":1},{"c":{"d":1,"d":2}}]}')).toBe('d');
  });

  it('accepts the same name in different objects, and names inside strings or arrays', () => {
    expect(jsonDuplicateKey('{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":"\\"a\\":1,\\"a\\""}')).toBeUndefined();
    expect(jsonDuplicateKey('["a","a"]')).toBeUndefined();
    expect(jsonDuplicateKey('{"a":"}","b":1}')).toBeUndefined();
    // Malformed text is the JSON parser's to refuse.
    expect(jsonDuplicateKey('{"a\\x":1,"a\\x":2')).toBeUndefined();
  });
});
