/**
 * The messages citizens receive, composed from an outbox event in their
 * language: organisations, information and reasons by their names, dates in
 * Quebec's time zone, and a link to the portal page where they can act.
 * Never a data value, never an internal code: a name that cannot be found is
 * replaced by a general word. Pure.
 */
import type { CitizenEvent, ContactLang } from './citizen-contact';
import { type EventFacts, MESSAGE_WORDS, type PortalPage } from './citizen-message-words';

/** The portal's time zone (PORTAL_TIME_ZONE): a spec ties the two together. */
export const MESSAGE_TIME_ZONE = 'America/Toronto';

/** Where names come from: the organisation registry and the catalogue. */
export interface MessageNames {
  organisation(id: string): string | undefined;
  product(code: string, lang: ContactLang): string | undefined;
  purpose(code: string, lang: ContactLang): string | undefined;
}

export interface MessageContext {
  lang: ContactLang;
  names: MessageNames;
  /** The portal's address, without a trailing slash. */
  portalBaseUrl: string;
  /** The organisation the event concerns: the requester, or the agency told of a change. */
  organisation: string;
  /** When the event was recorded. */
  occurredAt: Date;
}

export interface EmailMessage {
  subject: string;
  text: string;
}

export function formatMessageDate(lang: ContactLang, date: Date, withTime = false): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: MESSAGE_TIME_ZONE,
  }).format(date);
}

export function portalLink(portalBaseUrl: string, page: PortalPage): string {
  return `${portalBaseUrl}${page}`;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A payload's date, or `fallback` when it is missing or unreadable. */
function dateOf(value: unknown, fallback: Date): Date {
  const date = typeof value === 'string' ? new Date(value) : fallback;
  return Number.isNaN(date.getTime()) ? fallback : date;
}

/** The product codes an event names: a consent's list, or a change notice's one product. */
function productCodes(payload: Record<string, unknown>): string[] {
  if (Array.isArray(payload.products)) {
    return (payload.products as unknown[])
      .map((item) =>
        typeof item === 'object' && item !== null ? text((item as { product?: unknown }).product) : undefined,
      )
      .filter((code): code is string => code !== undefined);
  }
  const product = text(payload.product);
  return product === undefined ? [] : [product];
}

/** The event's facts in words: names, not codes; unknown names become general words. */
export function factsOf(event: CitizenEvent, payload: Record<string, unknown>, context: MessageContext): EventFacts {
  const { lang, names, occurredAt } = context;
  const words = MESSAGE_WORDS[lang];
  const purpose = text(payload.purpose);
  const titles = productCodes(payload).map((code) => names.product(code, lang) ?? words.someInformation);
  const when =
    event === 'consent.granted' || event === 'consent.expired' ? dateOf(payload.validUntil, occurredAt) : occurredAt;
  return {
    organisation: names.organisation(context.organisation) ?? words.someOrganisation,
    purpose: (purpose === undefined ? undefined : names.purpose(purpose, lang)) ?? words.somePurpose,
    products: titles.length === 0 ? [words.someInformation] : [...new Set(titles)],
    date: formatMessageDate(lang, when),
    changedOn: formatMessageDate(lang, dateOf(payload.changedAt, occurredAt)),
  };
}

/** The e-mail about an event: what happened, what the citizen can do about it, and where. */
export function citizenEmail(
  event: CitizenEvent,
  payload: Record<string, unknown>,
  context: MessageContext,
): EmailMessage {
  const words = MESSAGE_WORDS[context.lang];
  const said = words.events[event];
  const facts = factsOf(event, payload, context);
  const closing = said.closing(facts);
  const paragraphs = [
    words.hello,
    said.list ? [said.opening(facts), ...facts.products.map((title) => `- ${title}`)].join('\n') : said.opening(facts),
    ...(closing === undefined ? [] : [closing]),
    `${said.action}\n${portalLink(context.portalBaseUrl, said.page)}`,
    `--\n${words.footer}\n${portalLink(context.portalBaseUrl, '/contact')}`,
  ];
  return { subject: said.subject(facts), text: `${paragraphs.join('\n\n')}\n` };
}

/** The text message about an event: short, plain, no name and no data (it shows on a locked screen), a link. */
export function citizenSms(event: CitizenEvent, lang: ContactLang, portalBaseUrl: string): string {
  const said = MESSAGE_WORDS[lang].events[event];
  return `${said.sms} ${portalLink(portalBaseUrl, said.page)}`;
}

/** The message sent to a new address, with its one-time link. */
export function confirmationEmail(lang: ContactLang, link: string, expiresAt: Date): EmailMessage {
  const words = MESSAGE_WORDS[lang];
  const said = words.confirmation;
  const paragraphs = [
    words.hello,
    `${said.open}\n${link}`,
    said.validUntil(formatMessageDate(lang, expiresAt, true)),
    said.notYou,
  ];
  return { subject: said.subject, text: `${paragraphs.join('\n\n')}\n` };
}

/** The message sent to the confirmed address when the citizen replaces or removes it: it never names the new one. */
export function addressChangeEmail(
  lang: ContactLang,
  portalBaseUrl: string,
  change: 'replaced' | 'removed',
): EmailMessage {
  const words = MESSAGE_WORDS[lang];
  const said = words.addressChange;
  const paragraphs = [words.hello, said[change], `${said.notYou}\n${portalLink(portalBaseUrl, '/contact')}`];
  return { subject: said.subject, text: `${paragraphs.join('\n\n')}\n` };
}

/** The link a confirmation message carries. */
export function confirmationLink(portalBaseUrl: string, token: string): string {
  return `${portalLink(portalBaseUrl, '/contact')}/confirm?token=${encodeURIComponent(token)}`;
}
