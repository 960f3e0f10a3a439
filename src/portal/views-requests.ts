import type { ConsentRequestView } from '../consent/consent-request.service';
import { KEEP_ASKED_FIELD, KEEP_FIELD, YES } from './approval-form';
import { successBanner, summaryList } from './components';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import { dataList, formatDate, organisation, type Names } from './views-citizen';

type SignedIn = PageContext & { session: { csrf: string } };

const DAY = 24 * 3600 * 1000;

/** Until when a request would allow, as a date and a length: its own date, or the purpose's longest. */
export function requestUntil(r: ConsentRequestView, maxConsentDays: number | undefined, now: Date): Date | undefined {
  if (r.validUntil !== null) return new Date(r.validUntil);
  return maxConsentDays === undefined ? undefined : new Date(now.getTime() + maxConsentDays * DAY);
}

/**
 * The approve form, its button outside it (next to the reject form's): for an
 * ongoing request, the citizen decides whether the organisation is kept up to
 * date, ticked when the organisation asked for it.
 */
function approveForm(context: SignedIn, r: ConsentRequestView): SafeHtml {
  const { m } = context;
  const box = `keep-${r.id}`;
  return html`<form id="approve-${r.id}" method="post" action="/requests/${r.id}/approve">
    <input type="hidden" name="_csrf" value="${context.session.csrf}" />
    ${r.mode === 'ongoing'
      ? html`<input type="hidden" name="${KEEP_ASKED_FIELD}" value="${YES}" />
          <div class="govuk-form-group">
            <div class="govuk-checkboxes govuk-checkboxes--small">
              <div class="govuk-checkboxes__item">
                <input
                  class="govuk-checkboxes__input"
                  type="checkbox"
                  id="${box}"
                  name="${KEEP_FIELD}"
                  value="${YES}"
                  aria-describedby="${box}-hint"
                  ${r.keepUpToDate ? html`checked` : ''}
                />
                <label class="govuk-label govuk-checkboxes__label" for="${box}">${m.requests.keepUpToDate}</label>
                <div id="${box}-hint" class="govuk-hint govuk-checkboxes__hint">${m.requests.keepUpToDateHint}</div>
              </div>
            </div>
          </div>`
      : ''}
  </form>`;
}

function requestCard(context: SignedIn, names: Names, r: ConsentRequestView, now: Date): SafeHtml {
  const { m } = context;
  const lang = m.lang;
  const purpose = names.catalogue.purposes.get(r.purpose);
  const org = organisation(names, r.requester);
  const until = requestUntil(r, purpose?.maxConsentDays, now);
  const length = until === undefined ? undefined : Math.max(1, Math.round((until.getTime() - now.getTime()) / DAY));
  return html`<section class="govuk-summary-card" aria-labelledby="request-${r.id}">
    <div class="govuk-summary-card__title-wrapper">
      <h2 class="govuk-summary-card__title" id="request-${r.id}">${org}</h2>
    </div>
    <div class="govuk-summary-card__content">
      ${summaryList([
        [m.requests.purpose, purpose?.title[lang] ?? r.purpose],
        purpose?.legalReference !== undefined && [m.requests.legalReference, purpose.legalReference],
        [m.requests.data, dataList(names, lang, r.requester, r.purpose, r.products)],
        [m.requests.use, m.mode[r.mode]],
        until !== undefined &&
          length !== undefined && [m.requests.until, m.requests.untilDate(formatDate(lang, until), m.days(length))],
        r.message !== null && [m.requests.message, r.message],
      ])}
      <p class="govuk-body">
        <a class="govuk-link" href="/requests/${r.id}/preview"
          >${m.requests.preview}<span class="govuk-visually-hidden"> (${org})</span></a
        >
      </p>
      ${approveForm(context, r)}
      <div class="govuk-button-group">
        <button type="submit" class="govuk-button" form="approve-${r.id}" aria-label="${m.requests.approve} : ${org}">
          ${m.requests.approve}
        </button>
        <form class="passerelle-inline-form" method="post" action="/requests/${r.id}/reject">
          <input type="hidden" name="_csrf" value="${context.session.csrf}" />
          <button type="submit" class="govuk-button govuk-button--secondary" aria-label="${m.requests.reject} : ${org}">
            ${m.requests.reject}
          </button>
        </form>
      </div>
    </div>
  </section>`;
}

export function requestsPage(
  context: SignedIn,
  names: Names,
  requests: ConsentRequestView[],
  notice?: string,
  now = new Date(),
): string {
  const { m } = context;
  const pending = requests.filter((r) => r.status === 'pending');
  return page(
    context,
    m.requests.title,
    html`${successBanner(m.done, notice)}
      <p class="govuk-body">${m.requests.intro}</p>
      ${pending.length === 0
        ? html`<p class="govuk-body">${m.requests.none}</p>`
        : pending.map((r) => requestCard(context, names, r, now))}`,
  );
}
