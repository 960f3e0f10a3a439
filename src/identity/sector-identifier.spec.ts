import { randomBytes } from 'node:crypto';
import { SectorIdentifiers } from './sector-identifier';

describe('SectorIdentifiers', () => {
  const identifiers = new SectorIdentifiers(randomBytes(32));

  it('gives one citizen one identifier per sector, always the same, and translates it back', () => {
    const education = identifiers.identifierOf('education', 'demo-citizen-1');
    expect(identifiers.identifierOf('education', 'demo-citizen-1')).toBe(education);
    expect(education).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(identifiers.pivotOf('education', education)).toBe('demo-citizen-1');
  });

  it('gives two sectors identifiers that neither match nor translate in the other sector', () => {
    const education = identifiers.identifierOf('education', 'demo-citizen-1');
    const solidarity = identifiers.identifierOf('solidarity', 'demo-citizen-1');
    expect(solidarity).not.toBe(education);
    expect(identifiers.pivotOf('solidarity', education)).toBeUndefined();
    expect(identifiers.pivotOf('education', solidarity)).toBeUndefined();
  });

  it('gives two citizens of one sector different identifiers', () => {
    expect(identifiers.identifierOf('education', 'demo-citizen-1')).not.toBe(
      identifiers.identifierOf('education', 'demo-citizen-2'),
    );
  });

  it('names nobody with a pivot id, a forged or altered identifier, or another key’s identifier', () => {
    const genuine = identifiers.identifierOf('education', 'demo-citizen-1');
    const altered = `${genuine.slice(0, 5)}${genuine[5] === 'A' ? 'B' : 'A'}${genuine.slice(6)}`;
    const otherKey = new SectorIdentifiers(randomBytes(32)).identifierOf('education', 'demo-citizen-1');
    for (const value of ['demo-citizen-1', altered, otherKey, 'A'.repeat(40), '', 'x'.repeat(500), 'a/b+c=']) {
      expect(identifiers.pivotOf('education', value)).toBeUndefined();
    }
  });

  it('tells whose sector an identifier belongs to, for the audit of a refusal', () => {
    const solidarity = identifiers.identifierOf('solidarity', 'demo-citizen-4');
    expect(identifiers.explain(solidarity, ['education', 'solidarity', 'pensions'])).toEqual({
      sector: 'solidarity',
      pivot: 'demo-citizen-4',
    });
    expect(identifiers.explain('demo-citizen-4', ['education', 'solidarity'])).toBeUndefined();
  });

  it('refuses a key that is not 32 bytes, and a pivot id of the wrong shape', () => {
    expect(() => new SectorIdentifiers(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => identifiers.identifierOf('education', 'not a pivot')).toThrow();
  });

  it('does not keep the caller’s key buffer: clearing it later changes nothing', () => {
    const key = randomBytes(32);
    const owned = new SectorIdentifiers(key);
    const before = owned.identifierOf('education', 'demo-citizen-1');
    key.fill(0);
    expect(owned.identifierOf('education', 'demo-citizen-1')).toBe(before);
  });
});
