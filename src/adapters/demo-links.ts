import type { CitizenLinkRepository } from './citizen-link.repository';
import { DEMO_CITIZENS } from './simulators/demo-records';

/** Links the demo citizens' pivot ids to each demo source's local ids. Idempotent. */
export async function seedDemoLinks(links: CitizenLinkRepository): Promise<void> {
  for (const citizen of DEMO_CITIZENS) {
    for (const [source, localId] of Object.entries(citizen.localIds)) {
      await links.link(citizen.pivotId, source, localId);
    }
  }
}
