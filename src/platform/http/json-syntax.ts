/** Why a JSON text is not valid, in terms a caller can act on without seeing its own body echoed. */
export type JsonSyntaxReason =
  | 'empty'
  | 'end-of-input'
  | 'unterminated-string'
  | 'expected-value'
  | 'bad-literal'
  | 'bad-number'
  | 'control-character'
  | 'bad-escape'
  | 'expected-name'
  | 'expected-colon'
  | 'expected-comma-or-brace'
  | 'expected-comma-or-bracket'
  | 'trailing-content';

/**
 * Where a JSON text stops being JSON. `offset` counts characters (code
 * points) from 0, `line` and `column` count from 1 (lines end at LF); a
 * leading byte-order mark, which the body parser drops, is not counted.
 */
export interface JsonSyntaxError {
  reason: JsonSyntaxReason;
  line: number;
  column: number;
  offset: number;
}

const OBJECT = 0x7d; // the `}` that closes it
const ARRAY = 0x5d; // the `]` that closes it
const LITERALS = ['true', 'false', 'null'];
const SIMPLE_ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** A failure at a UTF-16 index, or the index after what was read. */
type Step = number | { at: number; reason: JsonSyntaxReason };

/**
 * The first place `text` breaks the JSON grammar (RFC 8259, which JSON.parse
 * implements), or undefined when it is valid JSON. The body parser's own
 * error cannot be shown: its message quotes the body, and Node 20 and 24 word
 * it differently. This scanner reads the same grammar and reports only a
 * position and a reason, identically on every runtime. Iterative, so a body
 * nested however deep cannot exhaust the stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const failure = scan(text, start);
  return failure === undefined ? undefined : { reason: failure.reason, ...positionOf(text, start, failure.at) };
}

function scan(text: string, start: number): { at: number; reason: JsonSyntaxReason } | undefined {
  const end = text.length;
  const skip = (i: number): number => {
    while (i < end && isWhitespace(text.charCodeAt(i))) i++;
    return i;
  };
  const containers: number[] = [];
  let i = skip(start);
  if (i >= end) return { at: i, reason: 'empty' };
  for (;;) {
    // A value starts here.
    i = skip(i);
    if (i >= end) return { at: i, reason: 'end-of-input' };
    const c = text.charCodeAt(i);
    let step: Step;
    if (c === 0x7b /* { */) {
      i = skip(i + 1);
      if (i < end && text.charCodeAt(i) === OBJECT) step = i + 1;
      else {
        containers.push(OBJECT);
        step = memberName(text, i, skip);
        if (typeof step === 'number') {
          i = step;
          continue;
        }
      }
    } else if (c === 0x5b /* [ */) {
      i = skip(i + 1);
      if (i < end && text.charCodeAt(i) === ARRAY) step = i + 1;
      else {
        containers.push(ARRAY);
        continue;
      }
    } else if (c === 0x22 /* " */) step = string(text, i);
    else if (c === 0x2d /* - */ || isDigit(c)) step = number(text, i);
    else step = literal(text, i);
    if (typeof step !== 'number') return step;
    i = step;

    // The value is complete: close what it completes, until a comma asks for the next value.
    for (;;) {
      i = skip(i);
      const open = containers.at(-1);
      if (open === undefined) return i < end ? { at: i, reason: 'trailing-content' } : undefined;
      if (i >= end) return { at: i, reason: 'end-of-input' };
      const next = text.charCodeAt(i);
      if (next === open) {
        containers.pop();
        i++;
        continue;
      }
      if (next !== 0x2c /* , */) {
        return { at: i, reason: open === OBJECT ? 'expected-comma-or-brace' : 'expected-comma-or-bracket' };
      }
      i++;
      if (open === OBJECT) {
        const named = memberName(text, i, skip);
        if (typeof named !== 'number') return named;
        i = named;
      }
      break;
    }
  }
}

/** A member name and its colon, from `i` (whitespace allowed before each). */
function memberName(text: string, i: number, skip: (i: number) => number): Step {
  i = skip(i);
  if (i >= text.length) return { at: i, reason: 'end-of-input' };
  if (text.charCodeAt(i) !== 0x22) return { at: i, reason: 'expected-name' };
  const after = string(text, i);
  if (typeof after !== 'number') return after;
  i = skip(after);
  if (i >= text.length) return { at: i, reason: 'end-of-input' };
  return text.charCodeAt(i) === 0x3a /* : */ ? i + 1 : { at: i, reason: 'expected-colon' };
}

function string(text: string, i: number): Step {
  for (let j = i + 1; ; ) {
    if (j >= text.length) return { at: j, reason: 'unterminated-string' };
    const c = text.charCodeAt(j);
    if (c === 0x22) return j + 1;
    if (c < 0x20) return { at: j, reason: 'control-character' };
    if (c !== 0x5c /* \ */) {
      j++;
      continue;
    }
    if (j + 1 >= text.length) return { at: j + 1, reason: 'unterminated-string' };
    const escaped = text.charCodeAt(j + 1);
    if (SIMPLE_ESCAPES.has(escaped)) {
      j += 2;
      continue;
    }
    if (escaped !== 0x75 /* u */) return { at: j, reason: 'bad-escape' };
    for (let k = j + 2; k < j + 6; k++) {
      if (k >= text.length) return { at: k, reason: 'unterminated-string' };
      if (!isHex(text.charCodeAt(k))) return { at: j, reason: 'bad-escape' };
    }
    j += 6;
  }
}

function number(text: string, i: number): Step {
  let j = i;
  const digits = (): void => {
    while (j < text.length && isDigit(text.charCodeAt(j))) j++;
  };
  if (text.charCodeAt(j) === 0x2d) j++;
  const first = text.charCodeAt(j);
  if (first === 0x30) {
    j++;
    // A leading zero stands alone: `01` is not a number.
    if (isDigit(text.charCodeAt(j))) return { at: j, reason: 'bad-number' };
  } else if (isDigit(first)) digits();
  else return { at: j, reason: 'bad-number' };
  if (text.charCodeAt(j) === 0x2e /* . */) {
    j++;
    if (!isDigit(text.charCodeAt(j))) return { at: j, reason: 'bad-number' };
    digits();
  }
  const e = text.charCodeAt(j);
  if (e === 0x65 || e === 0x45) {
    j++;
    const sign = text.charCodeAt(j);
    if (sign === 0x2b || sign === 0x2d) j++;
    if (!isDigit(text.charCodeAt(j))) return { at: j, reason: 'bad-number' };
    digits();
  }
  return j;
}

function literal(text: string, i: number): Step {
  for (const word of LITERALS) {
    if (text.startsWith(word, i)) return i + word.length;
    if (text.charCodeAt(i) !== word.charCodeAt(0)) continue;
    const rest = text.slice(i);
    // `tru` at the very end is a value cut short; `nul1` is not a value at all.
    return word.startsWith(rest) ? { at: text.length, reason: 'end-of-input' } : { at: i, reason: 'bad-literal' };
  }
  // A bare word (`yes`, `undefined`, a name without its quotes) reads as a literal that is not one.
  const c = text.charCodeAt(i) | 0x20;
  return { at: i, reason: c >= 0x61 && c <= 0x7a ? 'bad-literal' : 'expected-value' };
}

function positionOf(text: string, start: number, at: number): Omit<JsonSyntaxError, 'reason'> {
  let line = 1;
  let column = 1;
  let offset = 0;
  for (let i = start; i < at; i++) {
    const c = text.charCodeAt(i);
    // The second half of a surrogate pair is part of the character before it.
    if (c >= 0xdc00 && c <= 0xdfff && i > start) {
      const previous = text.charCodeAt(i - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) continue;
    }
    offset++;
    if (c === 0x0a) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column, offset };
}
