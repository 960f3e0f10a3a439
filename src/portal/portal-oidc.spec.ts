import { profileOf } from './portal-oidc';

describe('The profile the portal reads from the ID token', () => {
  it('keeps the name, address, verification and locale', () => {
    expect(
      profileOf({
        sub: 'demo-citizen-1',
        name: 'Émilie Rose Tremblay',
        email: 'emilie.tremblay@citoyens.example',
        email_verified: true,
        locale: 'fr-CA',
      }),
    ).toEqual({
      name: 'Émilie Rose Tremblay',
      email: 'emilie.tremblay@citoyens.example',
      emailVerified: true,
      locale: 'fr-CA',
    });
  });

  it('leaves out what is not a string within its limit, or not a boolean', () => {
    expect(
      profileOf({ name: ['Émilie'], email: `${'a'.repeat(250)}@x.example`, email_verified: 'true', locale: ' ' }),
    ).toEqual({});
    expect(profileOf({ name: 'x'.repeat(200), email_verified: false })).toEqual({
      name: 'x'.repeat(200),
      emailVerified: false,
    });
    expect(profileOf({ name: 'x'.repeat(201) })).toEqual({});
  });

  it('is empty without claims', () => {
    expect(profileOf(undefined)).toEqual({});
  });
});
