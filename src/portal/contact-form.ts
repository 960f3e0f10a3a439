import { CITIZEN_EVENTS, type CitizenEvent, type ContactInput } from '../notifications/citizen-contact';
import type { ContactView } from '../notifications/citizen-contacts.service';

/** A ticked box sends this value; an unticked one sends nothing. */
export const TICKED = 'yes';

/** The checkbox of an event for a channel: `mail-consent.granted`, `sms-consent-request.created`. */
export const eventField = (channel: 'mail' | 'sms', event: CitizenEvent): string => `${channel}-${event}`;

/**
 * What the contact form asks for, read from its fields. Without a
 * text-message provider the form shows no number and no text-message
 * choices: those stay as they are. Pure.
 */
export function contactInputOf(
  form: Readonly<Record<string, string>>,
  current: Pick<ContactView, 'mobile' | 'smsEvents'>,
  smsAvailable: boolean,
): Required<ContactInput> {
  const ticked = (channel: 'mail' | 'sms'): CitizenEvent[] =>
    CITIZEN_EVENTS.filter((event) => form[eventField(channel, event)] === TICKED);
  return {
    email: form.email ?? '',
    mobile: smsAvailable ? (form.mobile ?? '') : (current.mobile ?? ''),
    lang: form.lang ?? '',
    mailEvents: ticked('mail'),
    smsEvents: smsAvailable ? ticked('sms') : current.smsEvents,
  };
}
