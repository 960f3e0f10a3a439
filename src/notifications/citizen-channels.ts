/**
 * Which of a citizen's channels an event goes by, decided twice: when the
 * event is dispatched (a delivery is queued only for a channel the citizen
 * chose and can be reached on), and again when its turn comes (the citizen
 * may have changed their mind, or their address, since). Pure.
 */
import type { Basis } from '../contracts/catalogue';
import { type CitizenContact, deliverableEmail, type CitizenEvent, isCitizenEvent } from './citizen-contact';

export type CitizenChannel = 'mail' | 'sms';

/** What dispatching reads of a contact record: whether it can be reached, and what it chose; no address. */
export interface ContactChoices {
  mailable: boolean;
  textable: boolean;
  mailEvents: readonly string[];
  smsEvents: readonly string[];
}

/**
 * Whether a citizen is ever told of this event. A change notice is told only
 * when it rests on the citizen's own consent (they asked that the agency be
 * kept up to date): one under a statute may belong to an investigation whose
 * disclosure the law delays, so it is never announced.
 */
export function toldToCitizen(type: string, basis: Basis | undefined): type is CitizenEvent {
  if (!isCitizenEvent(type)) return false;
  return type !== 'product.changed' || basis === 'consent';
}

/** The channels to queue a delivery on; none without a contact record. `sms`: whether text messages can be sent. */
export function citizenChannels(
  type: string,
  basis: Basis | undefined,
  choices: ContactChoices | undefined,
  sms: boolean,
): CitizenChannel[] {
  if (choices === undefined || !toldToCitizen(type, basis)) return [];
  const channels: CitizenChannel[] = [];
  if (choices.mailable && choices.mailEvents.includes(type)) channels.push('mail');
  if (sms && choices.textable && choices.smsEvents.includes(type)) channels.push('sms');
  return channels;
}

export type SkipReason = 'no-contact' | 'no-confirmed-address' | 'no-mobile' | 'not-chosen' | 'not-told';

/** Where a queued message goes now, or why it goes nowhere (the delivery is then marked skipped, not retried). */
export function messageTarget(
  contact: CitizenContact | undefined,
  channel: CitizenChannel,
  type: string,
): { to: string; event: CitizenEvent } | { skip: SkipReason } {
  if (!isCitizenEvent(type)) return { skip: 'not-told' };
  if (contact === undefined) return { skip: 'no-contact' };
  if (channel === 'mail') {
    const to = deliverableEmail(contact);
    if (to === null) return { skip: 'no-confirmed-address' };
    return contact.mailEvents.includes(type) ? { to, event: type } : { skip: 'not-chosen' };
  }
  if (contact.mobile === null) return { skip: 'no-mobile' };
  return contact.smsEvents.includes(type) ? { to: contact.mobile, event: type } : { skip: 'not-chosen' };
}
