import Ajv2020 from 'ajv/dist/2020';
import { RQ_RECORDS } from '../simulators/demo-records';
import { decodeRecord, encodeRecord } from './copybook';
import {
  checkLayout,
  FIXED_WIDTH_SETTINGS_SCHEMA,
  type CopybookField,
  type FixedWidthEncoding,
  type FixedWidthSettings,
} from './copybook-layout';
import { cp037CodePoint, decodeCp037, encodeCp037 } from './cp037';
import { RQ_AVIS_COPYBOOK, rqAssessmentValues } from './rq-copybook';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

type Pic = Omit<CopybookField, 'name' | 'offset'>;

/** A record holding one field, to test one PIC at a time. */
function layoutOf(pic: Pic, encoding: FixedWidthEncoding = 'cp037'): FixedWidthSettings {
  return { encoding, transaction: 'TEST', recordLength: pic.length, fields: [{ name: 'F', offset: 0, ...pic }] };
}

function decodeOne(bytes: Buffer, pic: Pic, encoding: FixedWidthEncoding = 'cp037'): unknown {
  return decodeRecord(bytes, layoutOf(pic, encoding)).F;
}

function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

describe('cp037', () => {
  it('maps the well-known code points', () => {
    expect(encodeCp037('Aa0 éÉ{}')).toEqual(hex('C1 81 F0 40 51 71 C0 D0'));
    expect(decodeCp037(hex('C1 81 F0 40 51 71 C0 D0'))).toBe('Aa0 éÉ{}');
  });

  it('is a one-to-one map of the 256 bytes onto Latin-1', () => {
    const codePoints = new Set(Array.from({ length: 256 }, (_, byte) => cp037CodePoint(byte)));
    expect(codePoints.size).toBe(256);
    expect(Math.max(...codePoints)).toBe(0xff);
    const all = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte));
    expect(encodeCp037(decodeCp037(all))).toEqual(all);
  });

  it('refuses characters beyond Latin-1', () => {
    expect(() => encodeCp037('5 €')).toThrow('character 3 has no cp037 byte');
  });
});

describe('zoned decimal', () => {
  const signed: Pic = { length: 5, type: 'zoned', scale: 2, signed: true };

  it.each([
    ['F0F0F1F2C3', 1.23],
    ['F0F0F1F2D3', -1.23],
    ['F0F0F1F2F3', 1.23],
    ['F0F0F1F2C0', 1.2],
    ['F0F0F1F2D0', -1.2],
  ])('reads the EBCDIC sign in the zone of the last byte: %s', (bytes, value) => {
    expect(decodeOne(hex(bytes), signed)).toBe(value);
  });

  it.each([
    ['0012{', 1.2],
    ['0012A', 1.21],
    ['0012I', 1.29],
    ['0012}', -1.2],
    ['0012J', -1.21],
    ['0012R', -1.29],
    ['00123', 1.23],
  ])('reads the ASCII overpunch %s', (text, value) => {
    expect(decodeOne(ascii(text), signed, 'ascii')).toBe(value);
  });

  it('writes the overpunch both ways', () => {
    expect(encodeRecord({ F: -1.21 }, layoutOf(signed, 'ascii'))).toEqual(ascii('0012J'));
    expect(encodeRecord({ F: 1.2 }, layoutOf(signed, 'ascii'))).toEqual(ascii('0012{'));
    expect(encodeRecord({ F: -1.21 }, layoutOf(signed))).toEqual(hex('F0F0F1F2D1'));
    expect(encodeRecord({ F: 1.21 }, layoutOf({ length: 5, type: 'zoned', scale: 2 }))).toEqual(hex('F0F0F1F2F1'));
  });

  it('applies the implied decimals of PIC 9(9)V99', () => {
    expect(decodeOne(hex('F0F0F0F0F1F7F9F0F0F5F0'), { length: 11, type: 'zoned', scale: 2 })).toBe(17900.5);
  });

  it('reads a negative zero as zero', () => {
    expect(Object.is(decodeOne(hex('F0D0'), { length: 2, type: 'zoned', signed: true }), 0)).toBe(true);
  });

  it.each([
    ['a space', hex('40F1F2'), 'cp037', 'F: byte 1 is not a zoned digit'],
    ['a digit nibble above 9', hex('F1FAF2'), 'cp037', 'F: byte 2 is not a zoned digit'],
    ['a sign before the last byte', hex('F1C2F3'), 'cp037', 'F: byte 2 carries a sign'],
    ['a negative sign in an unsigned field', hex('F1F2D3'), 'cp037', 'negative sign in an unsigned field'],
    ['an ASCII space', ascii(' 12'), 'ascii', 'F: byte 1 is not a zoned digit'],
    ['an ASCII letter past R', ascii('12S'), 'ascii', 'F: byte 3 is not a zoned digit'],
  ] as const)('refuses %s', (_, bytes, encoding, message) => {
    expect(() => decodeOne(bytes, { length: 3, type: 'zoned' }, encoding)).toThrow(message);
  });
});

describe('packed decimal (COMP-3)', () => {
  it('reads an odd number of digits', () => {
    expect(decodeOne(hex('12345C'), { length: 3, type: 'packed', signed: true })).toBe(12345);
    expect(decodeOne(hex('12345F'), { length: 3, type: 'packed' })).toBe(12345);
  });

  it('reads an even-digit PIC S9(4), whose first nibble is padding', () => {
    expect(decodeOne(hex('01234D'), { length: 3, type: 'packed', signed: true })).toBe(-1234);
  });

  it('applies implied decimals to negative amounts', () => {
    const pic: Pic = { length: 6, type: 'packed', scale: 2, signed: true };
    expect(decodeOne(hex('00001845000C'), pic)).toBe(18450);
    expect(decodeOne(hex('00000042317D'), pic)).toBe(-423.17);
    expect(encodeRecord({ F: -423.17 }, layoutOf(pic))).toEqual(hex('00000042317D'));
    expect(encodeRecord({ F: 99.5 }, layoutOf({ ...pic, signed: false }))).toEqual(hex('00000009950F'));
  });

  it('reads a negative zero as zero', () => {
    expect(Object.is(decodeOne(hex('00000D'), { length: 3, type: 'packed', signed: true }), 0)).toBe(true);
  });

  it.each([
    ['a digit nibble above 9', '1A345C', 'F: byte 1 is not packed digits'],
    ['a low digit nibble above 9', '123F5C', 'F: byte 2 is not packed digits'],
    ['an unknown sign nibble', '12345A', 'F: invalid packed sign'],
    ['a negative sign in an unsigned field', '12345D', 'F: negative sign in an unsigned field'],
    ['spaces', '404040', 'F: invalid packed sign'],
    ['a space in the middle', '124040', 'F: invalid packed sign'],
    ['EBCDIC text', 'C1C2C3', 'F: byte 1 is not packed digits'],
  ])('refuses %s', (_, bytes, message) => {
    expect(() => decodeOne(hex(bytes), { length: 3, type: 'packed' })).toThrow(message);
  });
});

describe('alphanumeric', () => {
  it('trims spaces and low-values at both ends', () => {
    expect(decodeOne(hex('40 00 C1 40 C2 40 00'), { length: 7, type: 'alphanumeric' })).toBe('A B');
  });

  it('refuses control characters inside the text', () => {
    expect(() => decodeOne(hex('C1 25 C2'), { length: 3, type: 'alphanumeric' })).toThrow(
      'F: byte 2 is a control character',
    );
  });

  it('refuses bytes above 0x7F in ASCII', () => {
    expect(() => decodeOne(hex('41 E9 42'), { length: 3, type: 'alphanumeric' }, 'ascii')).toThrow(
      'F: byte 2 is not 7-bit ASCII',
    );
  });
});

describe('a cp037 sample record written out byte by byte', () => {
  const SAMPLE: FixedWidthSettings = {
    encoding: 'cp037',
    transaction: 'TEST',
    recordLength: 24,
    fields: [
      { name: 'NOM', offset: 0, length: 6, type: 'alphanumeric' },
      { name: 'MONTANT', offset: 6, length: 4, type: 'packed', scale: 2, signed: true },
      { name: 'SOLDE', offset: 10, length: 6, type: 'zoned', scale: 2, signed: true },
      { name: 'ANNEE', offset: 16, length: 4, type: 'zoned' },
      { name: 'CODE', offset: 20, length: 4, type: 'alphanumeric' },
    ],
  };
  const BYTES = hex(
    'C3 CB A3 51 40 40' + // 'Côté  '
      '01 23 45 6D' + // -1234.56, COMP-3
      'F0 F0 F1 F2 F3 D4' + // -12.34, zoned, sign in the last zone
      'F2 F0 F2 F5' + // 2025
      'C1 C2 C0 D0', // 'AB{}'
  );
  const VALUES = { NOM: 'Côté', MONTANT: -1234.56, SOLDE: -12.34, ANNEE: 2025, CODE: 'AB{}' };

  it('decodes', () => {
    expect(decodeRecord(BYTES, SAMPLE)).toEqual(VALUES);
  });

  it('encodes to the same bytes', () => {
    expect(encodeRecord(VALUES, SAMPLE)).toEqual(BYTES);
  });

  it('refuses a record of the wrong length', () => {
    expect(() => decodeRecord(BYTES.subarray(0, 23), SAMPLE)).toThrow('record is 23 bytes; the layout has 24');
  });
});

describe('the RQ notice of assessment', () => {
  it('encodes the demo record of dossier 100000001 as the mainframe would', () => {
    const record = encodeRecord(rqAssessmentValues(RQ_RECORDS[0]), RQ_AVIS_COPYBOOK);
    expect(record).toHaveLength(255);
    expect(record.subarray(0, 9)).toEqual(hex('F1 F0 F0 F0 F0 F0 F0 F0 F1'));
    expect(record.subarray(21, 27)).toEqual(hex('00 00 18 45 00 0C')); // AC-REVENU-TOTAL 18450.00
    expect(record.subarray(44, 53)).toEqual(hex('F0 F0 F0 F0 F4 F2 F3 F1 D7')); // AC-SOLDE -423.17
    expect(record.subarray(53, 55)).toEqual(hex('F0 F3')); // AC-NB-LIGNES 3
    expect(record.subarray(55 + 80 + 35, 55 + 120)).toEqual(hex('00 00 54 95 0D')); // line 3: -549.50
    expect(record.subarray(55 + 120, 55 + 125)).toEqual(hex('40 40 40 40 40')); // line 4: INITIALIZEd
  });

  it.each(RQ_RECORDS.map((record) => [record.dossier, record] as const))('round-trips dossier %s', (_, record) => {
    const values = rqAssessmentValues(record);
    expect(decodeRecord(encodeRecord(values, RQ_AVIS_COPYBOOK), RQ_AVIS_COPYBOOK)).toEqual(values);
  });

  it('reads only as many lines as AC-NB-LIGNES says', () => {
    const record = encodeRecord(rqAssessmentValues(RQ_RECORDS[2]), RQ_AVIS_COPYBOOK);
    record.fill(0xff, 55 + 40); // unused entries hold leftovers that would not decode
    expect(decodeRecord(record, RQ_AVIS_COPYBOOK)['AC-LIGNE']).toHaveLength(1);
  });

  it('refuses a line count above OCCURS', () => {
    const record = encodeRecord(rqAssessmentValues(RQ_RECORDS[0]), RQ_AVIS_COPYBOOK);
    record.set(hex('F0 F6'), 53);
    expect(() => decodeRecord(record, RQ_AVIS_COPYBOOK)).toThrow('AC-NB-LIGNES: not a count from 0 to 5');
  });

  it('names the entry of a bad byte inside a group', () => {
    const record = encodeRecord(rqAssessmentValues(RQ_RECORDS[0]), RQ_AVIS_COPYBOOK);
    record[55 + 40 + 39] = 0x1a;
    expect(() => decodeRecord(record, RQ_AVIS_COPYBOOK)).toThrow('AC-LIGNE[2].AC-LIGNE-MONTANT: invalid packed sign');
  });
});

describe('groups without a count field', () => {
  const LAYOUT: FixedWidthSettings = {
    encoding: 'ascii',
    transaction: 'TEST',
    recordLength: 18,
    fields: [{ name: 'ID', offset: 0, length: 3, type: 'alphanumeric' }],
    groups: [
      {
        name: 'ITEM',
        offset: 3,
        occurs: 3,
        size: 5,
        fields: [
          { name: 'CODE', offset: 0, length: 2, type: 'alphanumeric' },
          { name: 'QTY', offset: 2, length: 3, type: 'zoned', signed: true },
        ],
      },
    ],
  };

  it('drops entries that are INITIALIZEd or blank', () => {
    expect(decodeRecord(ascii('X1 AB01}00000     '), LAYOUT)).toEqual({ ID: 'X1', ITEM: [{ CODE: 'AB', QTY: -10 }] });
    expect(decodeRecord(encodeRecord({ ID: 'X1', ITEM: [{ CODE: '', QTY: 7 }] }, LAYOUT), LAYOUT)).toEqual({
      ID: 'X1',
      ITEM: [{ CODE: '', QTY: 7 }],
    });
  });
});

describe('encodeRecord refuses values the layout cannot hold', () => {
  const AMOUNT = layoutOf({ length: 4, type: 'packed', scale: 2, signed: true });
  const UNSIGNED = layoutOf({ length: 4, type: 'zoned' });
  const TEXT = layoutOf({ length: 4, type: 'alphanumeric' });

  it.each([
    ['more decimals than the scale', AMOUNT, 1.234, 'F: has more than 2 decimals'],
    ['more digits than the PIC', AMOUNT, 100000, 'F: does not fit 7 digits'],
    ['a negative value in an unsigned field', UNSIGNED, -1, 'F: negative value in an unsigned field'],
    ['a string for a number', UNSIGNED, '12', 'F: expects a finite number'],
    ['text longer than the field', TEXT, 'ABCDE', 'F: 5 characters do not fit 4 bytes'],
    ['a character outside cp037', TEXT, '5 €', 'F: character 3 has no cp037 byte'],
    ['a control character', TEXT, 'A\nB', 'F: character 2 is a control character'],
    ['a missing value', TEXT, undefined, 'F: missing value'],
  ])('%s', (_, layout, value, message) => {
    expect(() => encodeRecord(value === undefined ? {} : { F: value }, layout)).toThrow(message);
  });
});

describe('checkLayout', () => {
  const base = (fields: CopybookField[], recordLength = 10): FixedWidthSettings => ({
    encoding: 'cp037',
    transaction: 'TEST',
    recordLength,
    fields,
  });
  const pointers = (settings: FixedWidthSettings): string[] => checkLayout(settings).map(({ pointer }) => pointer);

  it('accepts the RQ copybook', () => {
    expect(checkLayout(RQ_AVIS_COPYBOOK)).toEqual([]);
  });

  it.each([
    ['a field past the end', base([{ name: 'A', offset: 8, length: 4, type: 'alphanumeric' }]), '/fields/0/length'],
    ['a field starting past the end', base([{ name: 'A', offset: 10, length: 1, type: 'zoned' }]), '/fields/0/offset'],
    [
      'overlapping fields',
      base([
        { name: 'A', offset: 0, length: 4, type: 'alphanumeric' },
        { name: 'B', offset: 2, length: 4, type: 'alphanumeric' },
      ]),
      '/fields/1/offset',
    ],
    [
      'a duplicate name',
      base([
        { name: 'A', offset: 0, length: 4, type: 'alphanumeric' },
        { name: 'A', offset: 4, length: 4, type: 'alphanumeric' },
      ]),
      '/fields/1/name',
    ],
    ['16 digits', base([{ name: 'A', offset: 0, length: 16, type: 'zoned' }], 16), '/fields/0/length'],
    [
      'a scale above the digits',
      base([{ name: 'A', offset: 0, length: 2, type: 'zoned', scale: 3 }]),
      '/fields/0/scale',
    ],
    ['a scale on text', base([{ name: 'A', offset: 0, length: 2, type: 'alphanumeric', scale: 2 }]), '/fields/0/type'],
    ['a transaction code of 3 characters', { ...base([]), transaction: 'AVI' }, '/transaction'],
  ])('points at %s', (_, settings, pointer) => {
    expect(pointers(settings)).toEqual([pointer]);
  });

  it('checks groups: their extent, their fields and their count field', () => {
    const settings: FixedWidthSettings = {
      ...base([{ name: 'N', offset: 0, length: 2, type: 'zoned', scale: 1 }], 20),
      groups: [
        {
          name: 'G',
          offset: 2,
          occurs: 4,
          size: 5,
          countField: 'N',
          fields: [{ name: 'X', offset: 3, length: 3, type: 'alphanumeric' }],
        },
        {
          name: 'H',
          offset: 2,
          occurs: 1,
          size: 2,
          countField: 'NOPE',
          fields: [{ name: 'Y', offset: 0, length: 2, type: 'alphanumeric' }],
        },
      ],
    };
    expect(checkLayout(settings)).toEqual([
      { pointer: '/groups/0/occurs', message: 'the group ends at byte 22, past the end (20 bytes)' },
      { pointer: '/groups/0/fields/0/length', message: expect.stringContaining('by byte 5') },
      { pointer: '/groups/0/countField', message: 'must name a numeric field without decimals' },
      { pointer: '/groups/1/countField', message: 'must name a field of the record' },
    ]);
  });
});

describe('FIXED_WIDTH_SETTINGS_SCHEMA', () => {
  const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(FIXED_WIDTH_SETTINGS_SCHEMA);

  it('accepts the RQ copybook', () => {
    expect(validate(RQ_AVIS_COPYBOOK)).toBe(true);
  });

  it.each([
    ['an unknown property', { ...RQ_AVIS_COPYBOOK, blockSize: 10 }],
    ['an unknown field type', { ...RQ_AVIS_COPYBOOK, fields: [{ name: 'A', offset: 0, length: 4, type: 'binary' }] }],
    ['an unknown encoding', { ...RQ_AVIS_COPYBOOK, encoding: 'utf8' }],
    ['a fractional offset', { ...RQ_AVIS_COPYBOOK, fields: [{ name: 'A', offset: 0.5, length: 4, type: 'zoned' }] }],
  ])('refuses %s', (_, settings) => {
    expect(validate(settings)).toBe(false);
  });
});
