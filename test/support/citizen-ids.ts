import { DEMO_ORGANISATIONS } from '../../src/identity/demo-seed';
import { SectorIdentifiers } from '../../src/identity/sector-identifier';
import { DEMO_SECTOR_KEY } from '../../src/identity/sector-key';

const identifiers = new SectorIdentifiers(DEMO_SECTOR_KEY);

/** How a demo organisation names a citizen: its sector's identifier, under the demo key the tests run with. */
export function citizenIdOf(organisation: string, pivot: string): string {
  const sector = DEMO_ORGANISATIONS.find((o) => o.id === organisation)?.sector;
  if (sector === undefined) throw new Error(`no demo organisation ${organisation}`);
  return identifiers.identifierOf(sector, pivot);
}
