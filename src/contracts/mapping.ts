/** A legacy record, decoded from a source's wire format but not yet mapped. */
export type LegacyRecord = Record<string, unknown>;

/**
 * How a contract turns a source's legacy shape into the product's shape. A
 * field is either a dotted path into the legacy record, or an object naming
 * the path and a conversion, a value table, or (for repeated groups) the
 * mapping of each entry.
 */
export type FieldMapping =
  | string
  | {
      from: string;
      as?: Conversion;
      map?: Record<string, string | number | boolean | null>;
      each?: RecordMapping;
    };

export type Conversion = 'string' | 'integer' | 'number' | 'boolean' | 'date';

export type RecordMapping = Record<string, FieldMapping>;

/**
 * Pure. A path that leads nowhere leaves its field out, and a value that does
 * not convert is passed through unchanged: the product's JSON Schema, applied
 * next, is what decides whether the answer is acceptable. The mapping never
 * papers over a source that broke its contract.
 */
export function applyMapping(record: LegacyRecord, mapping: RecordMapping): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(mapping)) {
    const value = mapField(record, spec);
    if (value !== undefined) result[field] = value;
  }
  return result;
}

function mapField(record: LegacyRecord, spec: FieldMapping): unknown {
  if (typeof spec === 'string') return readPath(record, spec);
  const raw = readPath(record, spec.from);
  if (raw === undefined) return undefined;
  if (spec.each !== undefined) {
    if (!Array.isArray(raw)) return raw;
    const each = spec.each;
    return raw.map((entry: unknown) => (isRecord(entry) ? applyMapping(entry, each) : entry));
  }
  if (spec.map !== undefined) {
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return raw;
    const key = String(raw);
    return Object.hasOwn(spec.map, key) ? spec.map[key] : raw;
  }
  return spec.as === undefined ? raw : convert(raw, spec.as);
}

export function readPath(record: LegacyRecord, path: string): unknown {
  let current: unknown = record;
  for (const key of path.split('.')) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function convert(value: unknown, as: Conversion): unknown {
  if (value === null) return null;
  switch (as) {
    case 'string':
      return typeof value === 'number' ? String(value) : value;
    case 'integer':
    case 'number': {
      if (typeof value !== 'string' || value.trim() === '') return value;
      const number = Number(value);
      if (!Number.isFinite(number) || (as === 'integer' && !Number.isInteger(number))) return value;
      return number;
    }
    case 'boolean':
      if (value === 'true' || value === '1' || value === 'Y' || value === 'O') return true;
      if (value === 'false' || value === '0' || value === 'N') return false;
      return value;
    case 'date':
      return toIsoDate(value);
  }
}

/** Legacy systems write dates as `YYYY-MM-DD`, `YYYYMMDD` or the number 20260418. */
function toIsoDate(value: unknown): unknown {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string') return value;
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text.trim());
  if (compact !== null) return `${compact[1]}-${compact[2]}-${compact[3]}`;
  return text.trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
