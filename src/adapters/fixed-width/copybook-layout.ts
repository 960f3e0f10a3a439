/**
 * The copybook layout a fixed-width contract declares: its types, the JSON
 * Schema the contract loader applies to it, and the checks that offsets,
 * lengths and names fit the record.
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

export function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** COMP-3 holds two digits per byte, less the sign nibble; DISPLAY one per byte. */
export function digitCount(field: CopybookField): number {
  return field.type === 'packed' ? field.length * 2 - 1 : field.length;
}
