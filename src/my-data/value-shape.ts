/**
 * How a value of a product is to be read, taken from the product's JSON
 * Schema: a date is shown as a date, an amount with its cents, a list of
 * records as a table. Pure.
 */
export type ValueShape =
  | { kind: 'text' }
  | { kind: 'date' }
  | { kind: 'date-time' }
  | { kind: 'integer' }
  | { kind: 'amount' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'list'; items: ValueShape }
  | { kind: 'record'; properties: readonly RecordProperty[] };

export interface RecordProperty {
  name: string;
  /** The schema's `title` for the property, when it gives one. */
  title?: string;
  shape: ValueShape;
}

/** A `$ref` chain longer than this is not followed (a schema may refer to itself). */
const MAX_DEPTH = 8;
const TEXT: ValueShape = { kind: 'text' };

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Follows a local `$ref` (`#` or `#/...`) in `root`; anything else is not followed. */
function resolve(schema: Schema, root: Schema, depth: number): Schema | undefined {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  if (depth >= MAX_DEPTH || (ref !== '#' && !ref.startsWith('#/'))) return undefined;
  let target: unknown = root;
  for (const raw of ref === '#' ? [] : ref.slice(2).split('/')) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    target = isSchema(target) && Object.hasOwn(target, segment) ? target[segment] : undefined;
  }
  return isSchema(target) ? resolve({ ...target, ...withoutRef(schema) }, root, depth + 1) : undefined;
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

/** The first type that is not null: `["string", "null"]` is a string that may be missing. */
function typeOf(schema: Schema): string | undefined {
  const { type } = schema;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null');
  return undefined;
}

/** The shape of a value described by `schema`, `$ref`s resolved in `root` (the product's whole schema). */
export function shapeOf(schema: unknown, root: unknown, depth = 0): ValueShape {
  if (!isSchema(schema) || !isSchema(root) || depth >= MAX_DEPTH) return TEXT;
  const resolved = resolve(schema, root, 0);
  if (resolved === undefined) return TEXT;
  switch (typeOf(resolved) ?? 'none') {
    case 'string':
      if (resolved.format === 'date') return { kind: 'date' };
      if (resolved.format === 'date-time') return { kind: 'date-time' };
      return TEXT;
    case 'integer':
      return { kind: 'integer' };
    case 'number':
      return resolved.multipleOf === 0.01 ? { kind: 'amount' } : { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array':
      return { kind: 'list', items: shapeOf(resolved.items, root, depth + 1) };
    case 'object': {
      const properties = isSchema(resolved.properties) ? resolved.properties : {};
      return {
        kind: 'record',
        properties: Object.entries(properties).map(([name, property]) => {
          const title = isSchema(property) && typeof property.title === 'string' ? property.title : undefined;
          return { name, ...(title === undefined ? {} : { title }), shape: shapeOf(property, root, depth + 1) };
        }),
      };
    }
    default:
      return TEXT;
  }
}

/** The shape of each top-level field of a product's data schema. */
export function fieldShapes(dataSchema: Record<string, unknown>): Record<string, ValueShape> {
  const properties = isSchema(dataSchema.properties) ? dataSchema.properties : {};
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, shapeOf(schema, dataSchema)]));
}
