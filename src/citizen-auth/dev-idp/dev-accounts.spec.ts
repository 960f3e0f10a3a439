import { DEC_RECORDS, DEMO_CITIZENS } from '../../adapters/simulators/demo-records';
import { PRIVACY_OFFICER_ROLE } from '../roles';
import { claimsOf, DEMO_OFFICER, DEV_ACCOUNTS, fullNameOf } from './dev-accounts';

describe('The dev IdP accounts', () => {
  it('are the demo citizens and the demo officer, nobody else', () => {
    expect([...DEV_ACCOUNTS.keys()].sort()).toEqual([...DEMO_CITIZENS.map((c) => c.pivotId), DEMO_OFFICER].sort());
  });

  it.each(DEMO_CITIZENS.map((c) => [c.pivotId, c.localIds.dec] as const))(
    'names %s as the civil registry does',
    (pivotId, decId) => {
      const record = DEC_RECORDS.find((r) => r.NumeroInscription === decId);
      const account = DEV_ACCOUNTS.get(pivotId);
      expect(account?.givenName).toBe(record?.Prenoms);
      expect(account?.familyName).toBe(record?.NomFamille);
      expect(account?.roles).toEqual([]);
    },
  );

  it('gives every account a distinct address on a reserved .example domain', () => {
    const emails = [...DEV_ACCOUNTS.values()].map((a) => a.email);
    expect(new Set(emails).size).toBe(emails.length);
    for (const email of emails) expect(email).toMatch(/^[a-z-]+\.[a-z-]+@[a-z]+\.example$/);
  });

  it('gives only the officer the privacy-officer role', () => {
    const officers = [...DEV_ACCOUNTS].filter(([, a]) => a.roles.includes(PRIVACY_OFFICER_ROLE)).map(([id]) => id);
    expect(officers).toEqual([DEMO_OFFICER]);
  });

  it('answers the standard claims and the roles under the configured claim name', () => {
    const account = DEV_ACCOUNTS.get('demo-citizen-5');
    if (account === undefined) throw new Error('no demo-citizen-5');
    expect(claimsOf('demo-citizen-5', account, 'https://passerelle.example/roles')).toEqual({
      sub: 'demo-citizen-5',
      'https://passerelle.example/roles': [],
      name: 'Sophie Bouchard',
      given_name: 'Sophie',
      family_name: 'Bouchard',
      email: 'sophie.bouchard@citoyens.example',
      email_verified: true,
      locale: 'en-CA',
    });
    expect(fullNameOf(account)).toBe('Sophie Bouchard');
  });
});
