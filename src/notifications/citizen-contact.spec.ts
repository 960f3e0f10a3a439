import {
  CITIZEN_EVENTS,
  type CitizenContact,
  deliverableEmail,
  emailChangeOf,
  emailProblem,
  eventsOf,
  langOfLocale,
  normaliseEmail,
  normaliseMobile,
  validateContact,
} from './citizen-contact';

describe('e-mail addresses', () => {
  it.each(['marie.tremblay@example.qc.ca', 'a+tag@sub.example.org', "o'neil@example.com", 'x@xn--bcher-kva.example'])(
    'accepts %s',
    (email) => {
      expect(emailProblem(email)).toBeUndefined();
    },
  );

  it.each([
    ['no at sign', 'marie.example.org'],
    ['nothing before the at sign', '@example.org'],
    ['no top-level domain', 'marie@localhost'],
    ['two at signs', 'marie@tremblay@example.org'],
    ['a space', 'marie tremblay@example.org'],
    ['a line break (header injection)', 'marie@example.org\r\nBcc: all@example.org'],
    ['angle brackets', '<marie@example.org>'],
    ['a leading dot', '.marie@example.org'],
    ['two dots in a row', 'marie..t@example.org'],
    ['a hyphen ending a label', 'marie@example-.org'],
    ['a numeric top-level domain', 'marie@127.0.0.1'],
  ])('refuses an address with %s', (_why, email) => {
    expect(emailProblem(email)).toBe('email-invalid');
  });

  it('refuses an address longer than 254 characters, or a local part longer than 64', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(10)}.org`;
    expect(long.length).toBeGreaterThan(254);
    expect(emailProblem(long)).toBe('email-too-long');
    expect(emailProblem(`${'a'.repeat(65)}@example.org`)).toBe('email-too-long');
    expect(emailProblem(`${'a'.repeat(64)}@example.org`)).toBeUndefined();
  });

  it('trims the address and lowers the case of its domain only; empty means none', () => {
    expect(normaliseEmail('  Marie.Tremblay@Example.QC.ca ')).toBe('Marie.Tremblay@example.qc.ca');
    expect(normaliseEmail('   ')).toBeNull();
  });
});

describe('mobile numbers', () => {
  it('reads what a person types as E.164', () => {
    expect(normaliseMobile('+1 (514) 555-0123')).toBe('+15145550123');
    expect(normaliseMobile('+33 6 12 34 56 78')).toBe('+33612345678');
    expect(normaliseMobile(' ')).toBeNull();
  });

  it.each([
    ['no country code', '514 555 0123'],
    ['a country code starting with 0', '+0 514 555 0123'],
    ['letters', '+1 514 CALL NOW'],
    ['more than 15 digits', '+1234567890123456'],
    ['too few digits', '+12345'],
  ])('refuses a number with %s', (_why, mobile) => {
    expect(normaliseMobile(mobile)).toBeUndefined();
  });
});

describe('events', () => {
  it('keeps known events once, in the portal’s order', () => {
    expect(eventsOf(['consent.revoked', 'consent-request.created', 'consent.revoked'])).toEqual([
      'consent-request.created',
      'consent.revoked',
    ]);
    expect(eventsOf([])).toEqual([]);
  });

  it('refuses an event citizens are not told about, or an unknown one', () => {
    expect(eventsOf(['consent.granted', 'consent-request.approved'])).toBeUndefined();
    expect(eventsOf(['toString'])).toBeUndefined();
  });
});

describe('validateContact', () => {
  const valid = {
    email: 'marie@example.org',
    mobile: '',
    lang: 'en',
    mailEvents: [...CITIZEN_EVENTS],
    smsEvents: [],
  };

  it('gives the update, normalised, with null for what was left empty', () => {
    expect(validateContact({ ...valid, mobile: '+1 514 555 0123', smsEvents: ['consent-request.created'] })).toEqual({
      ok: true,
      update: {
        email: 'marie@example.org',
        mobile: '+15145550123',
        lang: 'en',
        mailEvents: [...CITIZEN_EVENTS],
        smsEvents: ['consent-request.created'],
      },
    });
    expect(validateContact({ ...valid, email: ' ' })).toMatchObject({
      ok: true,
      update: { email: null, mobile: null },
    });
  });

  it('names every field in error at once', () => {
    expect(validateContact({ email: 'nope', mobile: '555', lang: 'de', mailEvents: ['x'], smsEvents: ['y'] })).toEqual({
      ok: false,
      errors: [
        { field: 'email', problem: 'email-invalid' },
        { field: 'mobile', problem: 'mobile-invalid' },
        { field: 'lang', problem: 'lang-invalid' },
        { field: 'mailEvents', problem: 'events-invalid' },
        { field: 'smsEvents', problem: 'events-invalid' },
      ],
    });
  });

  it('refuses text messages without a mobile number', () => {
    expect(validateContact({ ...valid, smsEvents: ['consent.granted'] })).toEqual({
      ok: false,
      errors: [{ field: 'smsEvents', problem: 'sms-needs-mobile' }],
    });
  });
});

describe('emailChangeOf', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const later = new Date('2026-03-02T11:00:00Z');
  const earlier = new Date('2026-03-01T11:00:00Z');
  const confirmed = { email: 'old@example.org', emailConfirmed: true, pendingEmail: null, pendingExpiresAt: null };

  it.each([
    ['no record and no address', undefined, null, 'unchanged'],
    ['no record and an address', undefined, 'new@example.org', 'confirm-new'],
    ['the confirmed address again', confirmed, 'old@example.org', 'unchanged'],
    ['the confirmed address in another case', confirmed, 'OLD@example.org', 'unchanged'],
    ['another address', confirmed, 'new@example.org', 'confirm-new'],
    ['no address any more', confirmed, null, 'remove'],
    [
      'the pending address while its link is good',
      { ...confirmed, pendingEmail: 'new@example.org', pendingExpiresAt: later },
      'new@example.org',
      'unchanged',
    ],
    [
      'the pending address once its link expired',
      { ...confirmed, pendingEmail: 'new@example.org', pendingExpiresAt: earlier },
      'new@example.org',
      'confirm-new',
    ],
    [
      'the confirmed address while another is pending',
      { ...confirmed, pendingEmail: 'new@example.org', pendingExpiresAt: later },
      'old@example.org',
      'keep-current',
    ],
    [
      'the address the identity provider gave without verifying it',
      { ...confirmed, emailConfirmed: false },
      'old@example.org',
      'confirm-new',
    ],
    [
      'no address while one is only pending',
      { email: null, emailConfirmed: false, pendingEmail: 'new@example.org', pendingExpiresAt: later },
      null,
      'remove',
    ],
  ] as const)('%s: %s', (_what, current, requested, expected) => {
    expect(emailChangeOf(current, requested, now)).toBe(expected);
  });
});

describe('deliverableEmail', () => {
  it('is the confirmed address only', () => {
    expect(deliverableEmail({ email: 'a@example.org', emailConfirmed: true })).toBe('a@example.org');
    expect(deliverableEmail({ email: 'a@example.org', emailConfirmed: false })).toBeNull();
    expect(deliverableEmail(undefined as CitizenContact | undefined)).toBeNull();
  });
});

describe('langOfLocale', () => {
  it('reads English from an English locale, French from anything else', () => {
    expect(['en', 'en-CA', 'EN_us', 'fr', 'fr-CA', 'es', '', undefined, 'eng'].map(langOfLocale)).toEqual([
      'en',
      'en',
      'en',
      'fr',
      'fr',
      'fr',
      'fr',
      'fr',
      'fr',
    ]);
  });
});
