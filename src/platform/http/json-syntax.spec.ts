import { findJsonSyntaxError, type JsonSyntaxError } from './json-syntax';

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SAMPLE = `{
  "product": "saaq.adresse",
  "version": 1,
  "purpose": "mess.aide-sociale",
  "citizen": "c\\u00e9-\\n\\"x\\"",
  "list": [true, false, null, -0.5e+3, 0, 12.25E-2, {}, [], [[ ]], { "a" : { } }],
  "é": "😀"
}`;
const PIECES = [...'{}[]:,"\\ \n\t-+.0123456789eEtrufalsn/x\u0001\u00e9', 'true', 'null', '\\u12', '\\u00e9', '😀'];

describe('findJsonSyntaxError', () => {
  it.each<[string, Partial<JsonSyntaxError>]>([
    ['', { reason: 'empty', line: 1, column: 1, offset: 0 }],
    ['  \n ', { reason: 'empty', line: 2, column: 2, offset: 4 }],
    ['{"product": "saaq.adresse",', { reason: 'end-of-input', line: 1, column: 28, offset: 27 }],
    ['{\n  "a": 1,\n  "b": 2\n  "c": 3\n}', { reason: 'expected-comma-or-brace', line: 4, column: 3, offset: 23 }],
    ['{"a": 1,}', { reason: 'expected-name', offset: 8 }],
    ["{'a': 1}", { reason: 'expected-name', offset: 1 }],
    ['{"a" 1}', { reason: 'expected-colon', offset: 5 }],
    ['[1, 2,]', { reason: 'expected-value', offset: 6 }],
    ['[1 2]', { reason: 'expected-comma-or-bracket', offset: 3 }],
    ['{"a": yes}', { reason: 'bad-literal', offset: 6 }],
    ['{"a": nul1}', { reason: 'bad-literal', offset: 6 }],
    ['{"a": tru', { reason: 'end-of-input', offset: 9 }],
    ['{"a": 01}', { reason: 'bad-number', offset: 7 }],
    ['{"a": -}', { reason: 'bad-number', offset: 7 }],
    ['{"a": 1.}', { reason: 'bad-number', offset: 8 }],
    ['{"a": 1e}', { reason: 'bad-number', offset: 8 }],
    ['{"a": .5}', { reason: 'expected-value', offset: 6 }],
    ['{"a": "x\ty"}', { reason: 'control-character', offset: 8 }],
    ['{"a": "\\q"}', { reason: 'bad-escape', offset: 7 }],
    ['{"a": "\\u12G4"}', { reason: 'bad-escape', offset: 7 }],
    ['{"a": "open', { reason: 'unterminated-string', offset: 11 }],
    ['{"a": 1} {"b": 2}', { reason: 'trailing-content', offset: 9 }],
    ['\ufeff{"a" 1}', { reason: 'expected-colon', line: 1, column: 6, offset: 5 }],
    ['{"😀": 1 2}', { reason: 'expected-comma-or-brace', column: 9, offset: 8 }],
    ['{"é":\n\n  ]}', { reason: 'expected-value', line: 3, column: 3, offset: 9 }],
  ])('finds where %p stops being JSON', (text, expected) => {
    expect(findJsonSyntaxError(text)).toMatchObject(expected);
  });

  it('accepts what JSON.parse accepts', () => {
    for (const text of [SAMPLE, '0', '-0', '"x"', ' [ ] ', 'null', '1E5', '{"a":{"b":[{"c":"\\/"}]}}', '"\ud800"']) {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it('agrees with JSON.parse on thousands of damaged documents', () => {
    const next = random(21);
    let refused = 0;
    for (let round = 0; round < 5000; round++) {
      const chars = [...SAMPLE];
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
        const at = Math.floor(next() * chars.length);
        const piece = PIECES[Math.floor(next() * PIECES.length)];
        const kind = next();
        if (kind < 0.4) chars.splice(at, 1);
        else if (kind < 0.7) chars.splice(at, 0, piece);
        else chars.splice(at, 1, piece);
      }
      const text = chars.join('');
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
        refused++;
      }
      const found = findJsonSyntaxError(text);
      if ((found === undefined) !== valid) throw new Error(`disagrees on ${JSON.stringify(text)}`);
    }
    // Most damage breaks the document; some does not (a digit added to a number): both sides were exercised.
    expect(refused).toBeGreaterThan(2500);
    expect(refused).toBeLessThan(5000);
  });

  it('reads a body nested a million deep without exhausting the stack', () => {
    expect(findJsonSyntaxError('['.repeat(1_000_000))).toMatchObject({ reason: 'end-of-input', offset: 1_000_000 });
  });
});
