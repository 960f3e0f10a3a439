import { decodeText, encodeText, readZonedByte, spaceByte, zonedByte, type ZonedSign } from './cp037';

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

export type FixedWidthEncoding = 'cp037' | 'ascii';

export interface FixedWidthSettings {
  encoding: FixedWidthEncoding;
  /** 4-character transaction code sent in every request, e.g. "AVIS". */
  transaction: string;
  /** Bytes of one data record. */
  recordLength: number;
  fields: CopybookField[];
  /** OCCURS n TIMES, with a fixed stride. */
  groups?: CopybookGroup[];
}

export interface CopybookField {
  /** The copybook's data name, e.g. "AC-REVENU-TOTAL": the key in the decoded record. */
  name: string;
  /** Bytes from the start of the record, or of the group entry. */
  offset: number;
  length: number;
  /** PIC X ; PIC 9 / S9 DISPLAY ; COMP-3. */
  type: 'alphanumeric' | 'zoned' | 'packed';
  /** Implied decimals (V99 => 2): the decoded number is digits / 10^scale. */
  scale?: number;
  signed?: boolean;
}

export interface CopybookGroup {
  name: string;
  offset: number;
  occurs: number;
  /** Bytes of one entry. */
  size: number;
  /** A top-level numeric field holding how many entries are in use (OCCURS ... DEPENDING ON). */
  countField?: string;
  fields: CopybookField[];
}

export interface LayoutProblem {
  /** JSON pointer into the settings, e.g. `/fields/3/offset`. */
  pointer: string;
  message: string;
}

/** Beyond 15 digits an unscaled integer may no longer be exact as a JS number. */
export const MAX_DIGITS = 15;
/** The largest fixed-length record z/OS datasets allow (LRECL). */
export const MAX_RECORD_LENGTH = 32_760;

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9-]{0,29}$';
const TRANSACTION_PATTERN = '^[A-Z0-9]{4}$';
const NAME = new RegExp(NAME_PATTERN);
const TRANSACTION = new RegExp(TRANSACTION_PATTERN);

// No $ref or $id: the contract meta-schema embeds this object as a subschema.
const FIELD_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'offset', 'length', 'type'],
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN },
    offset: { type: 'integer', minimum: 0, maximum: MAX_RECORD_LENGTH - 1 },
    length: { type: 'integer', minimum: 1, maximum: MAX_RECORD_LENGTH },
    type: { enum: ['alphanumeric', 'zoned', 'packed'] },
    scale: { type: 'integer', minimum: 0, maximum: MAX_DIGITS },
    signed: { type: 'boolean' },
  },
};

/** The shape of `source.settings` for the `fixed-width` adapter; checkLayout does the arithmetic. */
export const FIXED_WIDTH_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['encoding', 'transaction', 'recordLength', 'fields'],
  properties: {
    encoding: { enum: ['cp037', 'ascii'] },
    transaction: { type: 'string', pattern: TRANSACTION_PATTERN },
    recordLength: { type: 'integer', minimum: 1, maximum: MAX_RECORD_LENGTH },
    fields: { type: 'array', minItems: 1, maxItems: 1000, items: FIELD_SCHEMA },
    groups: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'offset', 'occurs', 'size', 'fields'],
        properties: {
          name: { type: 'string', pattern: NAME_PATTERN },
          offset: { type: 'integer', minimum: 0, maximum: MAX_RECORD_LENGTH - 1 },
          occurs: { type: 'integer', minimum: 1, maximum: MAX_RECORD_LENGTH },
          size: { type: 'integer', minimum: 1, maximum: MAX_RECORD_LENGTH },
          countField: { type: 'string', pattern: NAME_PATTERN },
          fields: { type: 'array', minItems: 1, maxItems: 1000, items: FIELD_SCHEMA },
        },
      },
    },
  },
};

interface Extent {
  start: number;
  end: number;
  pointer: string;
  name: string;
}

/**
 * The checks a JSON Schema cannot express, run after it: every field inside
 * its record or entry, no overlaps (REDEFINES is not modelled, so an overlap
 * is a typo), unique names (they become the decoded record's keys), numeric
 * precision, and a count field that exists and holds an integer.
 */
export function checkLayout(settings: FixedWidthSettings): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const add: AddProblem = (pointer, message) => void problems.push({ pointer, message });
  const { recordLength } = settings;
  if (!isInteger(recordLength, 1, MAX_RECORD_LENGTH)) {
    add('/recordLength', `must be an integer from 1 to ${MAX_RECORD_LENGTH}`);
    return problems;
  }
  if (!TRANSACTION.test(settings.transaction)) add('/transaction', 'must be 4 characters A-Z or 0-9');
  const names = new Set<string>();
  const extents = checkFields(settings.fields, '', recordLength, names, add);
  (settings.groups ?? []).forEach((group, index) => {
    const pointer = `/groups/${index}`;
    checkName(group.name, pointer, names, add);
    const { offset, occurs, size } = group;
    if (![offset, occurs - 1, size - 1].every((value) => isInteger(value, 0, recordLength - 1))) {
      add(pointer, `offset, occurs and size must be integers within the record (${recordLength} bytes)`);
      return;
    }
    const end = offset + occurs * size;
    if (end <= recordLength) extents.push({ start: offset, end, pointer, name: group.name });
    else add(`${pointer}/occurs`, `the group ends at byte ${end}, past the end (${recordLength} bytes)`);
    checkOverlaps(checkFields(group.fields, pointer, group.size, new Set(), add), add);
    if (group.countField === undefined) return;
    const count = settings.fields.find((field) => field.name === group.countField);
    if (count === undefined) add(`${pointer}/countField`, 'must name a field of the record');
    else if (count.type === 'alphanumeric' || (count.scale ?? 0) !== 0) {
      add(`${pointer}/countField`, 'must name a numeric field without decimals');
    }
  });
  checkOverlaps(extents, add);
  return problems;
}

type AddProblem = (pointer: string, message: string) => void;

/** The extents of the fields that fit in `containerLength`. */
function checkFields(
  fields: readonly CopybookField[],
  base: string,
  containerLength: number,
  names: Set<string>,
  add: AddProblem,
): Extent[] {
  const extents: Extent[] = [];
  fields.forEach((field, index) => {
    const pointer = `${base}/fields/${index}`;
    checkName(field.name, pointer, names, add);
    if (field.type !== 'alphanumeric') {
      const digits = digitCount(field);
      if (digits > MAX_DIGITS) add(`${pointer}/length`, `holds ${digits} digits; at most ${MAX_DIGITS} are supported`);
      if (!isInteger(field.scale ?? 0, 0, digits)) add(`${pointer}/scale`, `must be an integer from 0 to ${digits}`);
    } else if (field.scale !== undefined || field.signed !== undefined) {
      add(`${pointer}/type`, 'an alphanumeric field takes no scale or sign');
    }
    if (!isInteger(field.offset, 0, containerLength - 1)) {
      add(`${pointer}/offset`, `must be an integer below ${containerLength}, the length of what holds it`);
    } else if (!isInteger(field.offset + field.length, field.offset + 1, containerLength)) {
      add(`${pointer}/length`, `must be an integer that ends the field by byte ${containerLength}`);
    } else extents.push({ start: field.offset, end: field.offset + field.length, pointer, name: field.name });
  });
  return extents;
}

function checkName(name: string, pointer: string, names: Set<string>, add: AddProblem): void {
  if (!NAME.test(name)) add(`${pointer}/name`, 'must be a COBOL data name (letters, digits, hyphens; 30 at most)');
  else if (names.has(name)) add(`${pointer}/name`, `duplicate name ${name}`);
  names.add(name);
}

function checkOverlaps(extents: Extent[], add: AddProblem): void {
  const sorted = [...extents].sort((a, b) => a.start - b.start);
  for (let index = 1; index < sorted.length; index++) {
    const previous = sorted[index - 1];
    const current = sorted[index];
    if (current.start < previous.end) add(`${current.pointer}/offset`, `overlaps ${previous.name}`);
  }
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** COMP-3 holds two digits per byte, less the sign nibble; DISPLAY one per byte. */
function digitCount(field: CopybookField): number {
  return field.type === 'packed' ? field.length * 2 - 1 : field.length;
}

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
