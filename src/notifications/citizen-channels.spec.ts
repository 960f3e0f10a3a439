import { citizenChannels, type ContactChoices, messageTarget, toldToCitizen } from './citizen-channels';
import type { CitizenContact } from './citizen-contact';

const choices: ContactChoices = {
  mailable: true,
  textable: true,
  mailEvents: ['consent.granted', 'consent-request.created', 'product.changed'],
  smsEvents: ['consent-request.created'],
};

describe('toldToCitizen', () => {
  it('tells citizens of their consents, the requests made to them and consented change notices', () => {
    for (const type of ['consent.granted', 'consent.revoked', 'consent.expired', 'consent-request.created']) {
      expect(toldToCitizen(type, 'consent')).toBe(true);
    }
    expect(toldToCitizen('product.changed', 'consent')).toBe(true);
  });

  it('never announces a change notice under a statute: its disclosure may be delayed by law', () => {
    expect(toldToCitizen('product.changed', 'statute')).toBe(false);
    expect(toldToCitizen('product.changed', undefined)).toBe(false);
  });

  it('does not tell the citizen of their own answers, nor of an unknown type', () => {
    expect(toldToCitizen('consent-request.approved', 'consent')).toBe(false);
    expect(toldToCitizen('consent-request.rejected', 'consent')).toBe(false);
    expect(toldToCitizen('constructor', 'consent')).toBe(false);
  });
});

describe('citizenChannels', () => {
  it('queues each channel the citizen chose for the event and can be reached on', () => {
    expect(citizenChannels('consent-request.created', 'consent', choices, true)).toEqual(['mail', 'sms']);
    expect(citizenChannels('consent.granted', 'consent', choices, true)).toEqual(['mail']);
    expect(citizenChannels('consent.revoked', 'consent', choices, true)).toEqual([]);
  });

  it('queues nothing without a contact record', () => {
    expect(citizenChannels('consent.granted', 'consent', undefined, true)).toEqual([]);
  });

  it('queues no e-mail without a confirmed address, and no text without a number or a provider', () => {
    expect(citizenChannels('consent-request.created', 'consent', { ...choices, mailable: false }, true)).toEqual([
      'sms',
    ]);
    expect(citizenChannels('consent-request.created', 'consent', { ...choices, textable: false }, true)).toEqual([
      'mail',
    ]);
    expect(citizenChannels('consent-request.created', 'consent', choices, false)).toEqual(['mail']);
  });

  it('queues nothing for a change notice under a statute, whatever the citizen chose', () => {
    expect(citizenChannels('product.changed', 'statute', choices, true)).toEqual([]);
    expect(citizenChannels('product.changed', 'consent', choices, true)).toEqual(['mail']);
  });
});

describe('messageTarget', () => {
  const contact: CitizenContact = {
    subject: 'citizen',
    email: 'marie@example.org',
    emailConfirmed: true,
    pendingEmail: 'new@example.org',
    pendingExpiresAt: new Date(),
    mobile: '+15145550123',
    lang: 'fr',
    mailEvents: ['consent.granted'],
    smsEvents: ['consent.granted'],
    updatedAt: new Date(),
  };

  it('is the confirmed address, never the pending one, and the mobile number', () => {
    expect(messageTarget(contact, 'mail', 'consent.granted')).toEqual({
      to: 'marie@example.org',
      event: 'consent.granted',
    });
    expect(messageTarget(contact, 'sms', 'consent.granted')).toEqual({ to: '+15145550123', event: 'consent.granted' });
  });

  it('says why a message goes nowhere now', () => {
    expect(messageTarget(undefined, 'mail', 'consent.granted')).toEqual({ skip: 'no-contact' });
    expect(messageTarget({ ...contact, emailConfirmed: false }, 'mail', 'consent.granted')).toEqual({
      skip: 'no-confirmed-address',
    });
    expect(messageTarget({ ...contact, email: null, emailConfirmed: false }, 'mail', 'consent.granted')).toEqual({
      skip: 'no-confirmed-address',
    });
    expect(messageTarget({ ...contact, mobile: null }, 'sms', 'consent.granted')).toEqual({ skip: 'no-mobile' });
    expect(messageTarget(contact, 'mail', 'consent.revoked')).toEqual({ skip: 'not-chosen' });
    expect(messageTarget(contact, 'sms', 'consent.expired')).toEqual({ skip: 'not-chosen' });
    expect(messageTarget(contact, 'mail', 'consent-request.approved')).toEqual({ skip: 'not-told' });
  });
});
