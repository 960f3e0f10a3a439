import { applyMapping } from './mapping';

describe('applyMapping', () => {
  it('reads dotted paths and leaves out paths that lead nowhere', () => {
    const record = { adresse: { rue: 'rue King', appartement: null }, ville: 'Sherbrooke' };
    expect(
      applyMapping(record, { street: 'adresse.rue', unit: 'adresse.appartement', city: 'ville', zip: 'cp' }),
    ).toEqual({ street: 'rue King', unit: null, city: 'Sherbrooke' });
  });

  it('converts legacy dates, numbers and booleans', () => {
    const record = { d1: '20260418', d2: 19990314, d3: '1999-03-14', n: '42', b: 'N' };
    expect(
      applyMapping(record, {
        d1: { from: 'd1', as: 'date' },
        d2: { from: 'd2', as: 'date' },
        d3: { from: 'd3', as: 'date' },
        n: { from: 'n', as: 'integer' },
        b: { from: 'b', as: 'boolean' },
      }),
    ).toEqual({ d1: '2026-04-18', d2: '1999-03-14', d3: '1999-03-14', n: 42, b: false });
  });

  it('passes a value that does not convert through, for the schema to refuse', () => {
    expect(applyMapping({ n: 'forty-two' }, { n: { from: 'n', as: 'integer' } })).toEqual({ n: 'forty-two' });
    expect(applyMapping({ s: 'Z' }, { s: { from: 's', map: { A: 'active' } } })).toEqual({ s: 'Z' });
  });

  it('translates codes through a value table', () => {
    expect(applyMapping({ cd: 'S' }, { status: { from: 'cd', map: { A: 'eligible', S: 'suspended' } } })).toEqual({
      status: 'suspended',
    });
  });

  it('maps each entry of a repeated group', () => {
    const record = {
      LIGNE: [
        { NO: '101', MT: 12.5 },
        { NO: '130', MT: -3 },
      ],
    };
    expect(applyMapping(record, { lines: { from: 'LIGNE', each: { line: 'NO', amount: 'MT' } } })).toEqual({
      lines: [
        { line: '101', amount: 12.5 },
        { line: '130', amount: -3 },
      ],
    });
  });

  it('does not read inherited properties', () => {
    expect(applyMapping({}, { proto: 'constructor', deeper: 'toString.name' })).toEqual({});
  });
});
