import type { ConsentProduct, ConsentView } from '../consent/consent';
import type { ConsentRequestView } from '../consent/consent-request.service';
import type { Catalogue } from '../contracts/catalogue';
import { KEEP_ASKED_FIELD, KEEP_FIELD, YES } from './approval-form';
import { html, type SafeHtml } from './html';
import { page, postButton, type PageContext } from './layout';
import { PORTAL_TIME_ZONE } from './local-time';
import type { Lang } from './messages';

/** Caller-visible names: organisations from the registry, the rest from the contracts. */
export interface Names {
  catalogue: Catalogue;
  organisations: ReadonlyMap<string, string>;
}

export function formatDate(lang: Lang, iso: string | Date, withTime = false): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: PORTAL_TIME_ZONE,
  }).format(new Date(iso));
}

export const organisation = (names: Names, id: string): string => names.organisations.get(id) ?? id;
const purposeTitle = (names: Names, lang: Lang, code: string): string =>
  names.catalogue.purposes.get(code)?.title[lang] ?? code;
export const productTitle = (names: Names, lang: Lang, code: string): string =>
  names.catalogue.latest(code)?.title[lang] ?? code;

/** The fields a product gives this requester for this purpose (or the consent's narrowing), in plain words. */
function fieldWords(names: Names, lang: Lang, requester: string, purpose: string, item: ConsentProduct): string[] {
  const contract = names.catalogue.latest(item.product);
  if (contract === undefined) return item.fields ?? [];
  const fields = item.fields ?? contract.access[requester]?.[purpose] ?? [];
  return fields.map((field) => contract.fields[field]?.[lang] ?? field);
}

function dataList(names: Names, lang: Lang, requester: string, purpose: string, items: ConsentProduct[]): SafeHtml {
  return html`<ul>
    ${items.map(
      (item) =>
        html`<li>
          <strong>${productTitle(names, lang, item.product)}</strong> :
          ${fieldWords(names, lang, requester, purpose, item).join(', ')}
        </li>`,
    )}
  </ul>`;
}

function consentTable(context: PageContext, names: Names, caption: string, consents: ConsentView[]): SafeHtml {
  const { m } = context;
  const lang = m.lang;
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">${m.consents.organisation}</th>
        <th scope="col">${m.consents.purpose}</th>
        <th scope="col">${m.consents.data}</th>
        <th scope="col">${m.consents.validUntil}</th>
        <th scope="col">${m.consents.status}</th>
        <th scope="col">${m.consents.updates}</th>
        <th scope="col">${m.consents.actions}</th>
      </tr>
    </thead>
    <tbody>
      ${consents.map((c) => {
        const org = organisation(names, c.requester);
        return html`<tr>
          <td>${org}</td>
          <td>${purposeTitle(names, lang, c.purpose)}</td>
          <td>${dataList(names, lang, c.requester, c.purpose, c.products)}</td>
          <td>${formatDate(lang, c.validUntil)}</td>
          <td>${m.status[c.status]} (${m.mode[c.mode]})</td>
          <td>${c.keepUpToDate ? m.consents.keptUpToDate : m.consents.notKeptUpToDate}</td>
          <td class="actions">
            <a href="/consents/${c.id}/receipt" download aria-label="${m.consents.receiptFor(org)}"
              >${m.consents.receipt}</a
            >
            ${c.status === 'active'
              ? html`<a class="button danger" href="/consents/${c.id}/revoke" aria-label="${m.consents.revokeFor(org)}"
                  >${m.consents.revoke}</a
                >`
              : ''}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export function consentsPage(context: PageContext, names: Names, consents: ConsentView[], notice?: string): string {
  const { m } = context;
  const active = consents.filter((c) => c.status === 'active');
  const past = consents.filter((c) => c.status !== 'active' && c.status !== 'pending');
  return page(
    context,
    m.consents.title,
    html`${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}
      <h2>${m.consents.active}</h2>
      ${active.length === 0
        ? html`<p>${m.consents.noneActive}</p>`
        : consentTable(context, names, m.consents.active, active)}
      <h2>${m.consents.past}</h2>
      ${past.length === 0 ? html`<p>${m.consents.nonePast}</p>` : consentTable(context, names, m.consents.past, past)}`,
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
    html`<p>${question}</p>
      <div class="actions">
        ${postButton(`/consents/${consent.id}/revoke`, context.session.csrf, m.revoke.confirm, { className: 'danger' })}
        <a class="button secondary" href="/consents">${m.revoke.cancel}</a>
      </div>`,
  );
}

/**
 * The approve form, its button outside it (next to the reject form's): for an
 * ongoing request, the citizen decides whether the organisation is kept up to
 * date, ticked when the organisation asked for it.
 */
function approveForm(context: PageContext & { session: { csrf: string } }, r: ConsentRequestView): SafeHtml {
  const { m } = context;
  const box = `keep-${r.id}`;
  return html`<form id="approve-${r.id}" method="post" action="/requests/${r.id}/approve">
    <input type="hidden" name="_csrf" value="${context.session.csrf}" />
    ${r.mode === 'ongoing'
      ? html`<input type="hidden" name="${KEEP_ASKED_FIELD}" value="${YES}" />
          <p class="choice">
            <input
              type="checkbox"
              id="${box}"
              name="${KEEP_FIELD}"
              value="${YES}"
              aria-describedby="${box}-hint"
              ${r.keepUpToDate ? html`checked` : ''}
            />
            <label for="${box}">${m.requests.keepUpToDate}</label>
          </p>
          <p class="hint" id="${box}-hint">${m.requests.keepUpToDateHint}</p>`
      : ''}
  </form>`;
}

function requestCard(
  context: PageContext & { session: { csrf: string } },
  names: Names,
  r: ConsentRequestView,
): SafeHtml {
  const { m } = context;
  const lang = m.lang;
  const purpose = names.catalogue.purposes.get(r.purpose);
  const org = organisation(names, r.requester);
  return html`<section class="request" aria-labelledby="request-${r.id}">
    <h2 id="request-${r.id}">${org}</h2>
    <dl>
      <dt>${m.requests.from}</dt>
      <dd>${org}</dd>
      <dt>${m.requests.purpose}</dt>
      <dd>${purpose?.title[lang] ?? r.purpose}</dd>
      <dt>${m.requests.legalReference}</dt>
      <dd>${purpose?.legalReference ?? ''}</dd>
      <dt>${m.requests.data}</dt>
      <dd>${dataList(names, lang, r.requester, r.purpose, r.products)}</dd>
      <dt>${m.requests.until}</dt>
      <dd>${r.validUntil === null ? m.requests.untilDefault : formatDate(lang, r.validUntil)}</dd>
      ${r.message === null
        ? ''
        : html`<dt>${m.requests.message}</dt>
            <dd>${r.message}</dd>`}
    </dl>
    ${approveForm(context, r)}
    <div class="actions">
      <button type="submit" form="approve-${r.id}" aria-label="${m.requests.approve} : ${org}">
        ${m.requests.approve}
      </button>
      ${postButton(`/requests/${r.id}/reject`, context.session.csrf, m.requests.reject, {
        className: 'secondary',
        ariaLabel: `${m.requests.reject} : ${org}`,
      })}
    </div>
  </section>`;
}

export function requestsPage(
  context: PageContext & { session: { csrf: string } },
  names: Names,
  requests: ConsentRequestView[],
  notice?: string,
): string {
  const { m } = context;
  const pending = requests.filter((r) => r.status === 'pending');
  return page(
    context,
    m.requests.title,
    html`${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}
    ${pending.length === 0 ? html`<p>${m.requests.none}</p>` : pending.map((r) => requestCard(context, names, r))}`,
  );
}

export function homePage(context: PageContext): string {
  const { m } = context;
  return page(
    context,
    m.home.title,
    html`<p>${m.home.intro}</p>
      <p>${m.home.officerIntro}</p>
      <p><a class="button" href="/auth/login">${m.home.signIn}</a></p>`,
  );
}
