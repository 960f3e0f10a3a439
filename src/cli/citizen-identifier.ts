import type { DataSource } from 'typeorm';
import { OrganisationNotFoundError, OrganisationRepository } from '../identity/organisation.repository';
import { SectorIdentifiers } from '../identity/sector-identifier';
import { ensureDevSectorKey, loadSectorKey } from '../identity/sector-key';
import type { AppConfig } from '../platform/config/config';

/** How an organisation names a citizen: its sector's identifier, with the gateway's key (the demo's in development). */
export async function citizenIdentifier(
  config: AppConfig,
  dataSource: DataSource,
  organisation: string,
  pivot: string,
): Promise<string> {
  if (config.env !== 'production') await ensureDevSectorKey(config.sectorKeyFile);
  const key = await loadSectorKey(config.sectorKeyFile, config.env === 'production');
  const naming = await new OrganisationRepository(dataSource).naming(organisation);
  if (naming === undefined) throw new OrganisationNotFoundError(organisation);
  return naming.identifiers === 'pivot' ? pivot : new SectorIdentifiers(key).identifierOf(naming.sector, pivot);
}
