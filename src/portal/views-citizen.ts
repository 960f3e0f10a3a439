import type { ConsentProduct, ConsentView } from '../consent/consent';
import type { Catalogue } from '../contracts/catalogue';
import { paragraphs, successBanner, summaryCard } from './components';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import { PORTAL_TIME_ZONE } from './local-time';
import type { Lang, Messages } from './messages';

/** Caller-visible names: organisations from the registry, the rest from the contracts. */
export interface Names {
  catalogue: Catalogue;
  organisations: ReadonlyMap<string, string>;
}

/** A date (and time) as a citizen reads it, in Québec's time zone. */
export function formatDate(lang: Lang, iso: string | Date, withTime = false): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: PORTAL_TIME_ZONE,
  }).format(new Date(iso));
}

export const organisation = (names: Names, id: string): string => names.organisations.get(id) ?? id;
export const purposeTitle = (names: Names, lang: Lang, code: string): string =>
  names.catalogue.purposes.get(code)?.title[lang] ?? code;
export const productTitle = (names: Names, lang: Lang, code: string): string =>
  names.catalogue.latest(code)?.title[lang] ?? code;

/** The fields a product gives this requester for this purpose (or the consent's narrowing), in plain words. */
export function fieldWords(
  names: Names,
  lang: Lang,
  requester: string,
  purpose: string,
  item: ConsentProduct,
): string[] {
  const contract = names.catalogue.latest(item.product);
  if (contract === undefined) return item.fields ?? [];
  const fields = item.fields ?? contract.access[requester]?.[purpose] ?? [];
  return fields.map((field) => contract.fields[field]?.[lang] ?? field);
}

/** Each product and its fields, in plain words. */
export function dataList(
  names: Names,
  lang: Lang,
  requester: string,
  purpose: string,
  items: readonly ConsentProduct[],
): SafeHtml {
  return html`<ul class="govuk-list">
    ${items.map(
      (item) =>
        html`<li>
          <strong>${productTitle(names, lang, item.product)}</strong> :
          ${fieldWords(names, lang, requester, purpose, item).join(', ')}
        </li>`,
    )}
  </ul>`;
}

/** When a consent that no longer serves stopped: withdrawn, used once, or run out. */
export function endedAt(consent: ConsentView): string {
  if (consent.status === 'revoked' && consent.revokedAt !== null) return consent.revokedAt;
  if (consent.mode === 'one-time' && consent.lastUsedAt !== null) return consent.lastUsedAt;
  return consent.validUntil;
}

function consentCard(context: PageContext, names: Names, c: ConsentView): SafeHtml {
  const { m } = context;
  const lang = m.lang;
  const org = organisation(names, c.requester);
  const purpose = names.catalogue.purposes.get(c.purpose);
  const actions = [
    html`<a class="govuk-link" href="/consents/${c.id}/receipt"
      >${m.consents.receipt}<span class="govuk-visually-hidden"> (${org})</span></a
    >`,
    ...(c.status === 'active'
      ? [
          html`<a class="govuk-link" href="/consents/${c.id}/revoke"
            >${m.consents.revoke}<span class="govuk-visually-hidden"> (${org})</span></a
          >`,
        ]
      : []),
  ];
  return summaryCard(
    org,
    actions,
    [
      [m.consents.purpose, purpose?.title[lang] ?? c.purpose],
      purpose?.legalReference !== undefined && [m.consents.legalReference, purpose.legalReference],
      [m.consents.data, dataList(names, lang, c.requester, c.purpose, c.products)],
      [m.consents.use, m.mode[c.mode]],
      [m.consents.period, m.consents.periodText(formatDate(lang, c.validFrom), formatDate(lang, c.validUntil))],
      c.status === 'revoked' && [m.consents.withdrawnOn, formatDate(lang, endedAt(c), true)],
      c.status === 'expired' && [m.consents.endedOn, formatDate(lang, endedAt(c))],
      c.mode === 'ongoing' && [
        m.consents.updates,
        c.keepUpToDate ? m.consents.keptUpToDate : m.consents.notKeptUpToDate,
      ],
    ],
    `consent-${c.id}`,
  );
}

function refusedCard(context: PageContext, names: Names, c: ConsentView): SafeHtml {
  const { m } = context;
  const lang = m.lang;
  return summaryCard(
    organisation(names, c.requester),
    [],
    [
      [m.consents.purpose, purposeTitle(names, lang, c.purpose)],
      [m.consents.data, dataList(names, lang, c.requester, c.purpose, c.products)],
      [m.consents.askedOn, formatDate(lang, c.createdAt)],
      [m.consents.refusedOn, formatDate(lang, c.decidedAt ?? c.createdAt, true)],
    ],
  );
}

export function consentsPage(context: PageContext, names: Names, consents: ConsentView[], notice?: string): string {
  const { m } = context;
  const active = consents.filter((c) => c.status === 'active');
  const past = consents.filter((c) => c.status === 'revoked' || c.status === 'expired');
  const refused = consents.filter((c) => c.status === 'refused');
  return page(
    context,
    m.consents.title,
    html`${successBanner(m.done, notice)}
      <p class="govuk-body">${m.consents.intro}</p>
      <p><a class="govuk-button" href="/consents/new">${m.consents.grant}</a></p>
      <h2 class="govuk-heading-m">${m.consents.active}</h2>
      ${active.length === 0
        ? html`<p class="govuk-body">${m.consents.noneActive}</p>`
        : active.map((c) => consentCard(context, names, c))}
      <h2 class="govuk-heading-m">${m.consents.past}</h2>
      ${past.length === 0
        ? html`<p class="govuk-body">${m.consents.nonePast}</p>`
        : past.map((c) => consentCard(context, names, c))}
      ${refused.length === 0
        ? ''
        : html`<h2 class="govuk-heading-m">${m.consents.refused}</h2>
            ${refused.map((c) => refusedCard(context, names, c))}`}`,
  );
}

export function revokePage(
  context: PageContext & { session: { csrf: string } },
  names: Names,
  consent: ConsentView,
): string {
  const { m } = context;
  const question = m.revoke.question(
    organisation(names, consent.requester),
    purposeTitle(names, m.lang, consent.purpose),
  );
  return page(
    context,
    m.revoke.title,
    html`<p class="govuk-body-l">${question}</p>
      <div class="govuk-warning-text">
        <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong class="govuk-warning-text__text">${m.revoke.consequence}</strong>
      </div>
      <form method="post" action="/consents/${consent.id}/revoke">
        <input type="hidden" name="_csrf" value="${context.session.csrf}" />
        <div class="govuk-button-group">
          <button type="submit" class="govuk-button govuk-button--warning">${m.revoke.confirm}</button>
          <a class="govuk-link" href="/consents">${m.revoke.cancel}</a>
        </div>
      </form>`,
    { back: { href: '/consents', label: m.revoke.cancel } },
  );
}

export function homePage(context: PageContext): string {
  const { m } = context;
  return page(
    context,
    m.home.title,
    html`<p class="govuk-body-l">${m.home.intro}</p>
      <ul class="govuk-list govuk-list--bullet">
        ${m.home.steps.map((step) => html`<li>${step}</li>`)}
      </ul>
      <a class="govuk-button govuk-button--start" href="/auth/login">${m.home.signIn}</a>
      <p class="govuk-body">${m.home.officerIntro}</p>`,
  );
}

/** One of the footer's pages: privacy, accessibility, contact. */
export function infoPage(context: PageContext, which: keyof Messages['pages']): string {
  const content = context.m.pages[which];
  return page(context, content.title, paragraphs(content.paragraphs));
}
