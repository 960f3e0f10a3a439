import { PRIVACY_OFFICER_ROLE } from '../roles';

export const DEMO_OFFICER = 'demo-officer';

/** A person who can sign in at the dev IdP, with what it tells clients about them (OIDC standard claims). */
export interface DevAccount {
  roles: string[];
  /** Every given name, as the civil registry (`dec`) holds them. */
  givenName: string;
  familyName: string;
  email: string;
  /** BCP 47: the language the person reads. */
  locale: 'fr-CA' | 'en-CA';
}

const citizen = (givenName: string, familyName: string, email: string, locale: DevAccount['locale'] = 'fr-CA') => ({
  roles: [] as string[],
  givenName,
  familyName,
  email,
  locale,
});

/**
 * Who can sign in at the dev IdP: the demo citizens (`demo-citizen-1..5`,
 * named as the demo sources hold them, see `demo-records.ts`), and the demo
 * privacy officer. The one place the dev accounts are defined.
 */
export const DEV_ACCOUNTS: ReadonlyMap<string, DevAccount> = new Map([
  ['demo-citizen-1', citizen('Émilie Rose', 'Tremblay', 'emilie.tremblay@citoyens.example')],
  ['demo-citizen-2', citizen('Jean-François', 'Gagnon', 'jean-francois.gagnon@citoyens.example')],
  ['demo-citizen-3', citizen('Amélie', 'Roy', 'amelie.roy@citoyens.example')],
  ['demo-citizen-4', citizen('Marc André', 'Côté', 'marc.cote@citoyens.example')],
  ['demo-citizen-5', citizen('Sophie', 'Bouchard', 'sophie.bouchard@citoyens.example', 'en-CA')],
  [
    DEMO_OFFICER,
    {
      roles: [PRIVACY_OFFICER_ROLE],
      givenName: 'Nathalie',
      familyName: 'Lavoie',
      email: 'nathalie.lavoie@passerelle.example',
      locale: 'fr-CA',
    },
  ],
]);

/** The account's full name, as OIDC's `name` claim and the sign-in page show it. */
export function fullNameOf(account: DevAccount): string {
  return `${account.givenName} ${account.familyName}`;
}

/** The OIDC claims of an account (the provider keeps those its client was granted): profile, e-mail and roles. */
export function claimsOf(
  accountId: string,
  account: DevAccount,
  roleClaim: string,
): { sub: string } & Record<string, unknown> {
  return {
    sub: accountId,
    [roleClaim]: account.roles,
    name: fullNameOf(account),
    given_name: account.givenName,
    family_name: account.familyName,
    email: account.email,
    email_verified: true,
    locale: account.locale,
  };
}
