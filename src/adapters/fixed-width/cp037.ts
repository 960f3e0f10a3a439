import type { FixedWidthEncoding } from './copybook-layout';

/**
 * The character level of the two record encodings: EBCDIC code page 037
 * (IBM037, "CECP USA/Canada", the code page of the Canadian mainframes we
 * read) and 7-bit ASCII, plus how each writes a zoned digit and its sign.
 * No maintained npm package covers cp037 (iconv-lite has no EBCDIC page), and
 * a 256-entry table is small enough to own.
 *
 * IBM037 maps its 256 bytes one-to-one onto the 256 code points of Latin-1
 * (U+0000..U+00FF), so decoding never fails and encoding fails only for
 * characters beyond U+00FF (for example '€' or 'œ').
 *
 * Errors name a position, never a character: the text may be a citizen's data.
 */

/** Byte value (row = high nibble) to Unicode code point, per the IBM037 mapping. */
// prettier-ignore
const CP037_TO_UNICODE: readonly number[] = [
  0x00, 0x01, 0x02, 0x03, 0x9c, 0x09, 0x86, 0x7f, 0x97, 0x8d, 0x8e, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, // 0x0_
  0x10, 0x11, 0x12, 0x13, 0x9d, 0x85, 0x08, 0x87, 0x18, 0x19, 0x92, 0x8f, 0x1c, 0x1d, 0x1e, 0x1f, // 0x1_
  0x80, 0x81, 0x82, 0x83, 0x84, 0x0a, 0x17, 0x1b, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x05, 0x06, 0x07, // 0x2_
  0x90, 0x91, 0x16, 0x93, 0x94, 0x95, 0x96, 0x04, 0x98, 0x99, 0x9a, 0x9b, 0x14, 0x15, 0x9e, 0x1a, // 0x3_
  0x20, 0xa0, 0xe2, 0xe4, 0xe0, 0xe1, 0xe3, 0xe5, 0xe7, 0xf1, 0xa2, 0x2e, 0x3c, 0x28, 0x2b, 0x7c, // 0x4_
  0x26, 0xe9, 0xea, 0xeb, 0xe8, 0xed, 0xee, 0xef, 0xec, 0xdf, 0x21, 0x24, 0x2a, 0x29, 0x3b, 0xac, // 0x5_
  0x2d, 0x2f, 0xc2, 0xc4, 0xc0, 0xc1, 0xc3, 0xc5, 0xc7, 0xd1, 0xa6, 0x2c, 0x25, 0x5f, 0x3e, 0x3f, // 0x6_
  0xf8, 0xc9, 0xca, 0xcb, 0xc8, 0xcd, 0xce, 0xcf, 0xcc, 0x60, 0x3a, 0x23, 0x40, 0x27, 0x3d, 0x22, // 0x7_
  0xd8, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xab, 0xbb, 0xf0, 0xfd, 0xfe, 0xb1, // 0x8_
  0xb0, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0xaa, 0xba, 0xe6, 0xb8, 0xc6, 0xa4, // 0x9_
  0xb5, 0x7e, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0xa1, 0xbf, 0xd0, 0xdd, 0xde, 0xae, // 0xA_
  0x5e, 0xa3, 0xa5, 0xb7, 0xa9, 0xa7, 0xb6, 0xbc, 0xbd, 0xbe, 0x5b, 0x5d, 0xaf, 0xa8, 0xb4, 0xd7, // 0xB_
  0x7b, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0xad, 0xf4, 0xf6, 0xf2, 0xf3, 0xf5, // 0xC_
  0x7d, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0xb9, 0xfb, 0xfc, 0xf9, 0xfa, 0xff, // 0xD_
  0x5c, 0xf7, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0xb2, 0xd4, 0xd6, 0xd2, 0xd3, 0xd5, // 0xE_
  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xb3, 0xdb, 0xdc, 0xd9, 0xda, 0x9f, // 0xF_
];

/** The inverse table, built once: Latin-1 code point to IBM037 byte. */
const UNICODE_TO_CP037: Uint8Array = (() => {
  const table = new Uint8Array(256);
  CP037_TO_UNICODE.forEach((codePoint, byte) => {
    table[codePoint] = byte;
  });
  return table;
})();

/** The code point a cp037 byte stands for (exported for tests of the table). */
export function cp037CodePoint(byte: number): number {
  const codePoint = CP037_TO_UNICODE[byte];
  if (codePoint === undefined) throw new RangeError('not a byte value');
  return codePoint;
}

export function decodeCp037(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(CP037_TO_UNICODE[byte]);
  return text;
}

export function encodeCp037(text: string): Buffer {
  const bytes = Buffer.alloc(text.length);
  for (let index = 0; index < text.length; index++) {
    const codePoint = text.charCodeAt(index);
    if (codePoint > 0xff) throw new RangeError(`character ${index + 1} has no cp037 byte`);
    bytes[index] = UNICODE_TO_CP037[codePoint];
  }
  return bytes;
}

/** Decodes PIC X bytes as they are (no trimming). ASCII refuses bytes above 0x7F. */
export function decodeText(bytes: Uint8Array, encoding: FixedWidthEncoding): string {
  if (encoding === 'cp037') return decodeCp037(bytes);
  const high = bytes.findIndex((byte) => byte > 0x7f);
  if (high !== -1) throw new Error(`byte ${high + 1} is not 7-bit ASCII`);
  return Buffer.from(bytes).toString('latin1');
}

/** Encodes text as PIC X(length): left-justified and space-padded; never truncates. */
export function encodeText(text: string, length: number, encoding: FixedWidthEncoding): Buffer {
  if (text.length > length) throw new Error(`${text.length} characters do not fit ${length} bytes`);
  const padded = text.padEnd(length, ' ');
  if (encoding === 'cp037') return encodeCp037(padded);
  for (let index = 0; index < padded.length; index++) {
    if (padded.charCodeAt(index) > 0x7f) throw new Error(`character ${index + 1} is not 7-bit ASCII`);
  }
  return Buffer.from(padded, 'latin1');
}

export function spaceByte(encoding: FixedWidthEncoding): number {
  return encoding === 'cp037' ? 0x40 : 0x20;
}

/** 0: no sign (an unsigned digit); 1 and -1: an overpunched sign. */
export type ZonedSign = 0 | 1 | -1;

/**
 * One byte of a zoned (PIC 9 DISPLAY) field. EBCDIC keeps the sign in the
 * zone nibble (F unsigned, C positive, D negative), which makes +1 the letter
 * 'A' and -1 the letter 'J'; ASCII systems overpunch the same characters:
 * '{' and 'A'..'I' for +0..+9, '}' and 'J'..'R' for -0..-9.
 */
export function readZonedByte(
  byte: number,
  encoding: FixedWidthEncoding,
): { digit: number; sign: ZonedSign } | undefined {
  if (encoding === 'cp037') {
    const zone = byte >> 4;
    const digit = byte & 0x0f;
    if (digit > 9) return undefined;
    if (zone === 0xf) return { digit, sign: 0 };
    if (zone === 0xc) return { digit, sign: 1 };
    if (zone === 0xd) return { digit, sign: -1 };
    return undefined;
  }
  if (byte >= 0x30 && byte <= 0x39) return { digit: byte - 0x30, sign: 0 };
  if (byte === 0x7b) return { digit: 0, sign: 1 }; // '{'
  if (byte >= 0x41 && byte <= 0x49) return { digit: byte - 0x40, sign: 1 }; // 'A'..'I'
  if (byte === 0x7d) return { digit: 0, sign: -1 }; // '}'
  if (byte >= 0x4a && byte <= 0x52) return { digit: byte - 0x49, sign: -1 }; // 'J'..'R'
  return undefined;
}

export function zonedByte(digit: number, sign: ZonedSign, encoding: FixedWidthEncoding): number {
  if (encoding === 'cp037') return (sign === 0 ? 0xf0 : sign === 1 ? 0xc0 : 0xd0) | digit;
  if (sign === 0) return 0x30 + digit;
  if (sign === 1) return digit === 0 ? 0x7b : 0x40 + digit;
  return digit === 0 ? 0x7d : 0x49 + digit;
}
