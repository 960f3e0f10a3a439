import { randomBytes } from 'node:crypto';
import { CitizenNames } from './citizen-names.service';
import type { OrganisationRepository } from './organisation.repository';
import { SectorIdentifiers } from './sector-identifier';

describe('CitizenNames', () => {
  const identifiers = new SectorIdentifiers(randomBytes(32));
  const organisations = {
    sectors: () => Promise.resolve(['education', 'solidarity', 'pensions']),
  } as unknown as OrganisationRepository;
  const names = new CitizenNames(identifiers, organisations);
  const afe = { sector: 'education', identifiers: 'sector' as const };
  const mess = { sector: 'solidarity', identifiers: 'sector' as const };
  const migrating = { sector: 'legacy', identifiers: 'pivot' as const };
  const known = (pivot: string): Promise<boolean> => Promise.resolve(pivot === 'demo-citizen-1');

  it('translates the caller’s identifier both ways, the same on every call', () => {
    const id = names.identifierFor(afe, 'demo-citizen-1');
    expect(id).toBe(identifiers.identifierOf('education', 'demo-citizen-1'));
    expect(names.pivotOf(afe, id)).toBe('demo-citizen-1');
    expect(names.pivotOf(afe, id)).toBe('demo-citizen-1');
    expect(names.pivotOf(mess, id)).toBeUndefined();
  });

  it('lets an organisation that is migrating use pivot ids, and only them', () => {
    expect(names.identifierFor(migrating, 'demo-citizen-1')).toBe('demo-citizen-1');
    expect(names.pivotOf(migrating, 'demo-citizen-1')).toBe('demo-citizen-1');
    expect(names.pivotOf(migrating, 'not_a_pivot')).toBeUndefined();
  });

  it('explains what names nobody: another sector’s identifier, a known pivot id, or nothing anyone issued', async () => {
    const theirs = names.identifierFor(mess, 'demo-citizen-4');
    await expect(names.explain(afe, theirs, known)).resolves.toEqual({
      reason: 'other-sector-identifier',
      pivot: 'demo-citizen-4',
      sector: 'solidarity',
    });
    await expect(names.explain(afe, 'demo-citizen-1', known)).resolves.toEqual({
      reason: 'pivot-identifier',
      pivot: 'demo-citizen-1',
    });
    await expect(names.explain(afe, 'demo-citizen-9', known)).resolves.toEqual({ reason: 'unknown-identifier' });
    await expect(names.explain(afe, 'A'.repeat(40), known)).resolves.toEqual({ reason: 'unknown-identifier' });
  });
});
