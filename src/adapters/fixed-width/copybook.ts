import { decodeText, encodeText, readZonedByte, spaceByte, zonedByte, type ZonedSign } from './cp037';
import {
  type FixedWidthEncoding,
  type FixedWidthSettings,
  type CopybookField,
  type CopybookGroup,
  isInteger,
  digitCount,
} from './copybook-layout';

/**
 * A pure codec for fixed-length records laid out by a COBOL copybook: PIC X
 * (alphanumeric), PIC 9 / S9 DISPLAY (zoned, sign overpunched in the last
 * byte), COMP-3 (packed decimal), and OCCURS groups with a fixed stride.
 *
 * Numbers decode to a JS number equal to digits / 10^scale. IEEE division is
 * correctly rounded, so 1790050 / 100 is exactly the double that the literal
 * 17900.5 gives: the JSON the gateway releases carries the decimal that the
 * mainframe holds. Fields are capped at 15 digits so that the unscaled integer
 * is always exact.
 *
 * Error messages name the field and the byte, never the bytes or the value:
 * a record is a citizen's data, and messages end up in logs.
 */

/**
 * Decodes one record. The layout must have passed checkLayout. Throws an
 * Error for a wrong length or any byte that the layout does not allow.
 */
export function decodeRecord(buffer: Uint8Array, settings: FixedWidthSettings): Record<string, unknown> {
  if (buffer.length !== settings.recordLength) {
    throw new Error(`record is ${buffer.length} bytes; the layout has ${settings.recordLength}`);
  }
  const record = decodeFields(buffer, settings.fields, settings.encoding, '');
  for (const group of settings.groups ?? []) {
    record[group.name] = decodeGroup(buffer, group, record, settings.encoding);
  }
  return record;
}

function decodeGroup(
  buffer: Uint8Array,
  group: CopybookGroup,
  record: Record<string, unknown>,
  encoding: FixedWidthEncoding,
): Record<string, unknown>[] {
  const counted = group.countField !== undefined;
  const count = group.countField !== undefined ? record[group.countField] : group.occurs;
  if (!isInteger(count, 0, group.occurs)) throw new Error(`${group.countField}: not a count from 0 to ${group.occurs}`);
  const entries: Record<string, unknown>[] = [];
  for (let index = 0; index < count; index++) {
    const bytes = buffer.subarray(group.offset + index * group.size, group.offset + (index + 1) * group.size);
    // Without a count, unused entries are known by their content: blank
    // (never written; numeric fields would not even decode) or INITIALIZEd.
    if (!counted && isBlank(bytes, encoding)) continue;
    const entry = decodeFields(bytes, group.fields, encoding, `${group.name}[${index + 1}].`);
    if (!counted && Object.values(entry).every((value) => value === '' || value === 0)) continue;
    entries.push(entry);
  }
  return entries;
}

function decodeFields(
  bytes: Uint8Array,
  fields: readonly CopybookField[],
  encoding: FixedWidthEncoding,
  prefix: string,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const slice = bytes.subarray(field.offset, field.offset + field.length);
    try {
      values[field.name] = decodeField(slice, field, encoding);
    } catch (error) {
      throw new Error(`${prefix}${field.name}: ${(error as Error).message}`, { cause: error });
    }
  }
  return values;
}

function decodeField(bytes: Uint8Array, field: CopybookField, encoding: FixedWidthEncoding): string | number {
  switch (field.type) {
    case 'alphanumeric':
      return decodeAlphanumeric(bytes, encoding);
    case 'zoned':
      return decodeZoned(bytes, field, encoding) / 10 ** (field.scale ?? 0);
    case 'packed':
      return decodePacked(bytes, field) / 10 ** (field.scale ?? 0);
  }
}

/** Leading and trailing spaces and low-values are padding; a control character inside means the wrong layout. */
function decodeAlphanumeric(bytes: Uint8Array, encoding: FixedWidthEncoding): string {
  const text = decodeText(bytes, encoding);
  let start = 0;
  let end = text.length;
  while (start < end && isPadding(text.charCodeAt(start))) start++;
  while (end > start && isPadding(text.charCodeAt(end - 1))) end--;
  const control = controlCharacterAt(text.slice(start, end));
  if (control !== -1) throw new Error(`byte ${start + control + 1} is a control character`);
  return text.slice(start, end);
}

/** The unscaled, signed integer of a zoned field; only the last byte may carry a sign. */
function decodeZoned(bytes: Uint8Array, field: CopybookField, encoding: FixedWidthEncoding): number {
  let magnitude = 0;
  let sign: ZonedSign = 0;
  for (let index = 0; index < bytes.length; index++) {
    const zoned = readZonedByte(bytes[index], encoding);
    if (zoned === undefined) throw new Error(`byte ${index + 1} is not a zoned digit`);
    if (zoned.sign !== 0 && index < bytes.length - 1) throw new Error(`byte ${index + 1} carries a sign`);
    magnitude = magnitude * 10 + zoned.digit;
    sign = zoned.sign;
  }
  return signed(magnitude, sign, field);
}

/** COMP-3: two digit nibbles per byte, the last nibble the sign (C or F positive, D negative). */
function decodePacked(bytes: Uint8Array, field: CopybookField): number {
  let magnitude = 0;
  const last = bytes.length - 1;
  for (let index = 0; index <= last; index++) {
    const high = bytes[index] >> 4;
    const low = bytes[index] & 0x0f;
    if (high > 9 || (index < last && low > 9)) throw new Error(`byte ${index + 1} is not packed digits`);
    magnitude = index < last ? magnitude * 100 + high * 10 + low : magnitude * 10 + high;
  }
  const nibble = bytes[last] & 0x0f;
  if (nibble !== 0xc && nibble !== 0xd && nibble !== 0xf) throw new Error('invalid packed sign');
  return signed(magnitude, nibble === 0xd ? -1 : 1, field);
}

function signed(magnitude: number, sign: ZonedSign, field: CopybookField): number {
  if (sign !== -1) return magnitude;
  if (field.signed !== true) throw new Error('negative sign in an unsigned field');
  return magnitude === 0 ? 0 : -magnitude; // no -0 in the JSON
}

/**
 * Encodes one record (for the simulator and tests). Every field needs a value;
 * group entries past the array are INITIALIZEd (spaces and zeros), and bytes
 * no field covers are FILLER (spaces).
 */
export function encodeRecord(values: Record<string, unknown>, settings: FixedWidthSettings): Buffer {
  const { encoding } = settings;
  const record = Buffer.alloc(settings.recordLength, spaceByte(encoding));
  encodeFields(record, 0, settings.fields, values, encoding, '');
  for (const group of settings.groups ?? []) {
    const entries = values[group.name];
    if (!Array.isArray(entries) || entries.length > group.occurs) {
      throw new Error(`${group.name}: expects an array of at most ${group.occurs} entries`);
    }
    if (group.countField !== undefined && values[group.countField] !== entries.length) {
      throw new Error(`${group.countField}: must equal the number of ${group.name} entries`);
    }
    const initial = Object.fromEntries(group.fields.map(({ name, type }) => [name, type === 'alphanumeric' ? '' : 0]));
    for (let index = 0; index < group.occurs; index++) {
      const prefix = `${group.name}[${index + 1}].`;
      const entry: unknown = index < entries.length ? entries[index] : initial;
      if (typeof entry !== 'object' || entry === null) throw new Error(`${prefix}: expects an object`);
      const base = group.offset + index * group.size;
      encodeFields(record, base, group.fields, entry as Record<string, unknown>, encoding, prefix);
    }
  }
  return record;
}

function encodeFields(
  record: Buffer,
  base: number,
  fields: readonly CopybookField[],
  values: Record<string, unknown>,
  encoding: FixedWidthEncoding,
  prefix: string,
): void {
  for (const field of fields) {
    try {
      if (!Object.hasOwn(values, field.name)) throw new Error('missing value');
      encodeField(values[field.name], field, encoding).copy(record, base + field.offset);
    } catch (error) {
      throw new Error(`${prefix}${field.name}: ${(error as Error).message}`, { cause: error });
    }
  }
}

function encodeField(value: unknown, field: CopybookField, encoding: FixedWidthEncoding): Buffer {
  if (field.type === 'alphanumeric') {
    if (typeof value !== 'string') throw new Error('expects a string');
    const control = controlCharacterAt(value);
    if (control !== -1) throw new Error(`character ${control + 1} is a control character`);
    return encodeText(value, field.length, encoding);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error('expects a finite number');
  const scale = field.scale ?? 0;
  const integer = Math.round(value * 10 ** scale);
  // Exact: the division rounds to the same double as the decimal literal does.
  if (integer / 10 ** scale !== value) throw new Error(`has more than ${scale} decimals`);
  const count = digitCount(field);
  if (Math.abs(integer) >= 10 ** count) throw new Error(`does not fit ${count} digits`);
  if (integer < 0 && field.signed !== true) throw new Error('negative value in an unsigned field');
  const digits = [...Math.abs(integer).toString().padStart(count, '0')].map(Number);
  const sign: ZonedSign = field.signed !== true ? 0 : integer < 0 ? -1 : 1;
  if (field.type === 'zoned') {
    return Buffer.from(digits.map((digit, index) => zonedByte(digit, index === count - 1 ? sign : 0, encoding)));
  }
  const nibbles = [...digits, sign === 0 ? 0xf : sign === 1 ? 0xc : 0xd];
  return Buffer.from(
    Array.from({ length: field.length }, (_, index) => (nibbles[2 * index] << 4) | nibbles[2 * index + 1]),
  );
}

/** Only spaces, zeros (the character) and low-values. */
function isBlank(bytes: Uint8Array, encoding: FixedWidthEncoding): boolean {
  const space = spaceByte(encoding);
  const zero = zonedByte(0, 0, encoding);
  return bytes.every((byte) => byte === space || byte === zero || byte === 0x00);
}

function isPadding(code: number): boolean {
  return code === 0x20 || code === 0x00;
}

/** C0 and C1 controls, DEL included: never part of a record's text. */
function controlCharacterAt(text: string): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return index;
  }
  return -1;
}
