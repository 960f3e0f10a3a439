import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldShapes, shapeOf } from './value-shape';

const schemaOf = (product: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'schemas', 'products', product, 'v1', 'data.schema.json'), 'utf8'),
  ) as Record<string, unknown>;

describe('shapeOf: how a value is read, from its JSON Schema', () => {
  it('reads the notice of assessment: a year, a date, amounts through $ref, and lines as records', () => {
    const shapes = fieldShapes(schemaOf('revenu.avis-cotisation'));
    expect(shapes.taxYear).toEqual({ kind: 'integer' });
    expect(shapes.assessmentDate).toEqual({ kind: 'date' });
    expect(shapes.netIncome).toEqual({ kind: 'amount' });
    // A $ref with a sibling description is still the amount it refers to.
    expect(shapes.balance).toEqual({ kind: 'amount' });
    expect(shapes.lines).toEqual({
      kind: 'list',
      items: {
        kind: 'record',
        properties: [
          { name: 'line', shape: { kind: 'text' } },
          { name: 'description', shape: { kind: 'text' } },
          { name: 'amount', shape: { kind: 'amount' } },
        ],
      },
    });
  });

  it('reads a nullable type by its other type, and a boolean as one', () => {
    const shapes = fieldShapes(schemaOf('ramq.admissibilite'));
    expect(shapes.coverageEnd).toEqual({ kind: 'date' });
    expect(shapes.eligible).toEqual({ kind: 'boolean' });
    expect(fieldShapes(schemaOf('saaq.adresse')).unit).toEqual({ kind: 'text' });
  });

  it('keeps a property’s title, and tells a date-time and a plain number apart', () => {
    const root = {
      properties: {
        at: { type: 'string', format: 'date-time' },
        ratio: { type: 'number' },
        owner: { type: 'object', properties: { name: { type: 'string', title: 'Name' } } },
      },
    };
    expect(fieldShapes(root)).toEqual({
      at: { kind: 'date-time' },
      ratio: { kind: 'number' },
      owner: { kind: 'record', properties: [{ name: 'name', title: 'Name', shape: { kind: 'text' } }] },
    });
  });

  it('falls back to text for a remote, missing or endless $ref, and for no schema at all', () => {
    expect(shapeOf({ $ref: 'https://example.org/s.json' }, {})).toEqual({ kind: 'text' });
    expect(shapeOf({ $ref: '#/$defs/none' }, { $defs: {} })).toEqual({ kind: 'text' });
    const loop = { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } } };
    expect(shapeOf({ $ref: '#/$defs/a' }, loop)).toEqual({ kind: 'text' });
    expect(shapeOf(undefined, {})).toEqual({ kind: 'text' });
    const self: Record<string, unknown> = { type: 'array' };
    self.items = { $ref: '#' };
    expect(shapeOf(self, self)).toMatchObject({ kind: 'list', items: { kind: 'list' } });
  });
});
