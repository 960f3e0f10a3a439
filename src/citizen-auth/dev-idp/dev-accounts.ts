import { DEMO_CITIZENS } from '../../adapters/simulators/demo-records';
import { PRIVACY_OFFICER_ROLE } from '../roles';

export const DEMO_OFFICER = 'demo-officer';

/** Who can sign in at the dev IdP: the demo citizens, and the demo privacy officer. */
export const DEV_ACCOUNTS: ReadonlyMap<string, { roles: string[] }> = new Map([
  ...DEMO_CITIZENS.map((citizen) => [citizen.pivotId, { roles: [] as string[] }] as const),
  [DEMO_OFFICER, { roles: [PRIVACY_OFFICER_ROLE] }],
]);
