import { chainRecords, type AuditEntry } from './audit-chain';
import { insertValues } from './sequencer-statements';

const KEY = Buffer.alloc(32, 7);
const HEAD = { seq: 0, hash: '0'.repeat(64) };
const entry = (note: string): AuditEntry => ({ kind: 'exchange.outcome', organisation: 'afe', details: { note } });
const signed = (head: { seq: number; hash: string }) => ({ head, node: 'n1', signedAt: new Date(0), jws: 'j' });

describe('insertValues', () => {
  it('sends the canonical texts as one text, a line each, whatever line breaks and quotes the records hold', () => {
    const { records, head } = chainRecords(HEAD, [entry('a\nb'), entry('"c"\\'), entry('\r\u2028')], new Date(0), KEY);
    const values = insertValues(records, signed(head));
    expect(values).toHaveLength(17);
    expect(typeof values[11]).toBe('string');
    expect((values[11] as string).split('\n')).toEqual(records.map((r) => r.canonical));
    // The batch's instant as ISO text, for the records' column and the signed head's.
    expect(values[1]).toBe('1970-01-01T00:00:00.000Z');
    expect(values[0]).toEqual([1, 2, 3]);
  });

  it('refuses a record whose canonical text holds a raw line break', () => {
    const { records, head } = chainRecords(HEAD, [entry('x')], new Date(0), KEY);
    const broken = [{ ...records[0], canonical: `${records[0].canonical}\n` }];
    expect(() => insertValues(broken, signed(head))).toThrow('a canonical record holds a line break');
  });
});
