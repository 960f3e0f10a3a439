import { outgoingUrlAttributes, redactQuery } from './redaction';

describe('trace redaction', () => {
  it('keeps the names of a query and none of its values', () => {
    expect(redactQuery('?citizen=demo-citizen-1&limit=50')).toBe('citizen=REDACTED&limit=REDACTED');
    expect(redactQuery('citizen=a%20b&citizen=c')).toBe('citizen=REDACTED&citizen=REDACTED');
    expect(redactQuery('')).toBe('');
    expect(redactQuery('?')).toBe('');
  });

  it('describes an outgoing call by its origin only', () => {
    const attributes = outgoingUrlAttributes('http://127.0.0.1:4100');
    expect(attributes['url.full']).toBe('http://127.0.0.1:4100/REDACTED');
    expect(Object.values(attributes).join(' ')).not.toMatch(/permis|\d{6}/);
  });
});
