/**
 * Returns true when the JSON text nests objects/arrays deeper than `maxDepth`.
 * It scans the raw text before JSON.parse so that a hostile body of a million
 * '[' never reaches the parser or any recursive code after it. Brackets inside
 * strings do not count.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/**
 * The first member name that appears twice in one object of the JSON text, if
 * any. JSON.parse keeps the last silently, while another parser on the way
 * (a proxy, a WAF, an auditor's tool) may keep the first: the two would read
 * different requests. Names are compared decoded ("a" and "\u0061" are one).
 */
export function jsonDuplicateKey(text: string): string | undefined {
  // One frame per open container: the names seen so far for an object, null for an array.
  const frames: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      const names = frames[frames.length - 1];
      if (expectName && names !== null && names !== undefined) {
        let name: string;
        try {
          name = JSON.parse(text.slice(start, i + 1)) as string;
        } catch {
          return undefined; // Not JSON at all: the parser that follows says so.
        }
        if (names.has(name)) return name;
        names.add(name);
        expectName = false;
      }
    } else if (c === 0x7b /* { */) {
      frames.push(new Set());
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      frames.push(null);
      expectName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
      expectName = false;
    } else if (c === 0x2c /* , */) {
      expectName = frames[frames.length - 1] instanceof Set;
    }
  }
  return undefined;
}
