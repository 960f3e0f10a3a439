/**
 * A citizen's contact record and the rules that check what they type into it.
 * Pure: the service stores, the portal shows, these decide.
 */
import type { OutboxEventType } from './outbox-events';

export type ContactLang = 'fr' | 'en';
export const CONTACT_LANGS: readonly ContactLang[] = ['fr', 'en'];

/** The events a citizen may be told about, in the order the portal lists them. */
export const CITIZEN_EVENTS = [
  'consent-request.created',
  'consent.granted',
  'consent.revoked',
  'consent.expired',
  'product.changed',
] as const satisfies readonly OutboxEventType[];

export type CitizenEvent = (typeof CITIZEN_EVENTS)[number];

/** Until the citizen chooses: every event by e-mail, none by text message (a number costs more to reach). */
export const DEFAULT_MAIL_EVENTS: readonly CitizenEvent[] = CITIZEN_EVENTS;
export const DEFAULT_SMS_EVENTS: readonly CitizenEvent[] = [];

/** A confirmation link is good for this long. */
export const CONFIRMATION_TTL_MS = 24 * 3600 * 1000;

export function isCitizenEvent(type: string): type is CitizenEvent {
  return (CITIZEN_EVENTS as readonly string[]).includes(type);
}

export function isContactLang(value: unknown): value is ContactLang {
  return value === 'fr' || value === 'en';
}

export interface CitizenContact {
  subject: string;
  /** The address messages go to, once confirmed. */
  email: string | null;
  emailConfirmed: boolean;
  /** An address the citizen asked for, waiting for its confirmation link to be opened. */
  pendingEmail: string | null;
  pendingExpiresAt: Date | null;
  /** E.164. */
  mobile: string | null;
  lang: ContactLang;
  mailEvents: CitizenEvent[];
  smsEvents: CitizenEvent[];
  updatedAt: Date;
}

/** What the citizen may change, once checked: addresses normalised, null for none. */
export interface ContactUpdate {
  email: string | null;
  mobile: string | null;
  lang: ContactLang;
  mailEvents: CitizenEvent[];
  smsEvents: CitizenEvent[];
}

/** What a form or an API caller sent, unchecked. */
export interface ContactInput {
  email?: string;
  mobile?: string;
  lang?: string;
  mailEvents?: readonly string[];
  smsEvents?: readonly string[];
}

export type ContactField = 'email' | 'mobile' | 'lang' | 'mailEvents' | 'smsEvents';
export type ContactProblem =
  | 'email-invalid'
  | 'email-too-long'
  | 'mobile-invalid'
  | 'lang-invalid'
  | 'events-invalid'
  | 'sms-needs-mobile';

export interface ContactError {
  field: ContactField;
  problem: ContactProblem;
}

export const EMAIL_MAX_LENGTH = 254;
const LOCAL_MAX_LENGTH = 64;
// A dot-atom local part (RFC 5322 without quoted strings or comments) and a host name with a top-level domain:
// what a person types, and nothing that could end a mail header (no spaces, no CR or LF, no angle brackets).
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * The address as stored: trimmed, the domain in lower case (the local part
 * is the mailbox owner's and may be case-sensitive). Empty: none.
 */
export function normaliseEmail(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

/** Why an address is refused, or undefined when it is acceptable. */
export function emailProblem(email: string): 'email-invalid' | 'email-too-long' | undefined {
  if (email.length > EMAIL_MAX_LENGTH) return 'email-too-long';
  const at = email.lastIndexOf('@');
  if (at <= 0) return 'email-invalid';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > LOCAL_MAX_LENGTH) return 'email-too-long';
  return LOCAL_PART.test(local) && DOMAIN.test(domain) ? undefined : 'email-invalid';
}

const SEPARATORS = /[\s().-]/g;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A mobile number in E.164 (`+15145550123`), from what a person types:
 * spaces, dots, dashes and brackets are dropped. The country code is
 * required; undefined when what is left is not E.164. Empty: null.
 */
export function normaliseMobile(value: string): string | null | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const compact = trimmed.replace(SEPARATORS, '');
  return E164.test(compact) ? compact : undefined;
}

/** The events, each known and once, in the portal's order; undefined if any is unknown. */
export function eventsOf(values: readonly string[]): CitizenEvent[] | undefined {
  if (!values.every(isCitizenEvent)) return undefined;
  return CITIZEN_EVENTS.filter((event) => values.includes(event));
}

/** Checks and normalises what the citizen sent: the update, or every problem with the field it belongs to. */
export function validateContact(
  input: ContactInput,
): { ok: true; update: ContactUpdate } | { ok: false; errors: ContactError[] } {
  const errors: ContactError[] = [];
  const email = normaliseEmail(input.email ?? '');
  const problem = email === null ? undefined : emailProblem(email);
  if (problem !== undefined) errors.push({ field: 'email', problem });
  const mobile = normaliseMobile(input.mobile ?? '');
  if (mobile === undefined) errors.push({ field: 'mobile', problem: 'mobile-invalid' });
  if (!isContactLang(input.lang)) errors.push({ field: 'lang', problem: 'lang-invalid' });
  const mailEvents = eventsOf(input.mailEvents ?? []);
  if (mailEvents === undefined) errors.push({ field: 'mailEvents', problem: 'events-invalid' });
  const smsEvents = eventsOf(input.smsEvents ?? []);
  if (smsEvents === undefined) errors.push({ field: 'smsEvents', problem: 'events-invalid' });
  else if (smsEvents.length > 0 && mobile === null) errors.push({ field: 'smsEvents', problem: 'sms-needs-mobile' });
  // Every problem was recorded above; the second half of the test only tells the compiler so.
  if (
    errors.length > 0 ||
    mobile === undefined ||
    !isContactLang(input.lang) ||
    mailEvents === undefined ||
    smsEvents === undefined
  ) {
    return { ok: false, errors };
  }
  return { ok: true, update: { email, mobile, lang: input.lang, mailEvents, smsEvents } };
}

const same = (a: string | null, b: string | null): boolean =>
  a !== null && b !== null && a.toLowerCase() === b.toLowerCase();

/**
 * What a requested address does to the record:
 * - `unchanged`: it is the confirmed address with nothing pending, or the pending one while its link is good;
 * - `keep-current`: it is the confirmed address again, so the pending change is dropped;
 * - `remove`: no address any more (at once: removing needs no confirmation);
 * - `confirm-new`: a new address (or the unconfirmed one, or a pending one whose link expired), which becomes
 *   pending and gets a new link; until it is confirmed, messages keep going to the confirmed address.
 */
export type EmailChange = 'unchanged' | 'keep-current' | 'remove' | 'confirm-new';

export function emailChangeOf(
  current: Pick<CitizenContact, 'email' | 'emailConfirmed' | 'pendingEmail' | 'pendingExpiresAt'> | undefined,
  requested: string | null,
  now: Date,
): EmailChange {
  const email = current?.email ?? null;
  const pending = current?.pendingEmail ?? null;
  if (requested === null) return email === null && pending === null ? 'unchanged' : 'remove';
  if (current?.emailConfirmed === true && same(requested, email)) {
    return pending === null ? 'unchanged' : 'keep-current';
  }
  const pendingValid = current?.pendingExpiresAt != null && current.pendingExpiresAt.getTime() > now.getTime();
  if (same(requested, pending) && pendingValid) return 'unchanged';
  return 'confirm-new';
}

/** The address messages go to: the confirmed one only. */
export function deliverableEmail(contact: Pick<CitizenContact, 'email' | 'emailConfirmed'> | undefined): string | null {
  return contact?.emailConfirmed === true && contact.email !== null ? contact.email : null;
}

/** The language of an OpenID Connect `locale` claim (`en-CA`, `fr`…): English for English, French otherwise. */
export function langOfLocale(locale: string | undefined): ContactLang {
  return /^en(\b|[-_])/i.test(locale?.trim() ?? '') ? 'en' : 'fr';
}
