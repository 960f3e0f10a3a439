import { contactInputOf } from './contact-form';

describe('contactInputOf', () => {
  const current = { mobile: '+15145550123', smsEvents: ['consent.revoked' as const] };

  it('reads the address, the number, the language and the ticked boxes of each channel', () => {
    expect(
      contactInputOf(
        {
          _csrf: 'x',
          email: ' marie@example.org ',
          mobile: '+1 438 555 0199',
          lang: 'en',
          'mail-consent.granted': 'yes',
          'mail-consent-request.created': 'yes',
          'mail-consent.revoked': 'no',
          'sms-consent-request.created': 'yes',
          'sms-toString': 'yes',
        },
        current,
        true,
      ),
    ).toEqual({
      email: ' marie@example.org ',
      mobile: '+1 438 555 0199',
      lang: 'en',
      mailEvents: ['consent-request.created', 'consent.granted'],
      smsEvents: ['consent-request.created'],
    });
  });

  it('reads an empty form as no address, no number, no language and no message', () => {
    expect(contactInputOf({}, current, true)).toEqual({
      email: '',
      mobile: '',
      lang: '',
      mailEvents: [],
      smsEvents: [],
    });
  });

  it('keeps the number and text-message choices when the form could not show them', () => {
    expect(contactInputOf({ mobile: '', 'sms-consent.granted': 'yes', lang: 'fr' }, current, false)).toMatchObject({
      mobile: '+15145550123',
      smsEvents: ['consent.revoked'],
    });
  });
});
