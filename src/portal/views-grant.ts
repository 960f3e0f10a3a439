import type { TermsInput } from '../consent/consent-terms';
import { errorSummary, summaryList } from './components';
import {
  fieldBox,
  type GrantChoice,
  type GrantError,
  KEEP_FIELD,
  MODE_FIELD,
  productBox,
  termsAsForm,
  WHO_FIELD,
  whoOf,
  YES,
} from './grant-form';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import { dataList, organisation, purposeTitle, type Names } from './views-citizen';

type SignedIn = PageContext & { session: { csrf: string } };

const csrfField = (context: SignedIn): SafeHtml =>
  html`<input type="hidden" name="_csrf" value="${context.session.csrf}" />`;

/** Step 1: which organisation, for which purpose (a GET form: nothing is recorded). */
export function grantWhoPage(context: SignedIn, names: Names, choices: readonly GrantChoice[], error = false): string {
  const { m } = context;
  const g = m.grant;
  const lang = m.lang;
  const byOrganisation = new Map<string, GrantChoice[]>();
  for (const choice of choices)
    byOrganisation.set(choice.requester, [...(byOrganisation.get(choice.requester) ?? []), choice]);
  let first = true;
  const radio = (choice: GrantChoice): SafeHtml => {
    const id = first ? WHO_FIELD : `${WHO_FIELD}-${whoOf(choice).replace(/[^a-z0-9-]/g, '-')}`;
    first = false;
    return html`<div class="govuk-radios__item">
      <input class="govuk-radios__input" id="${id}" name="${WHO_FIELD}" type="radio" value="${whoOf(choice)}" />
      <label class="govuk-label govuk-radios__label" for="${id}">${purposeTitle(names, lang, choice.purpose)}</label>
    </div>`;
  };
  return page(
    context,
    g.title,
    html`${errorSummary(g.errorTitle, error ? [{ field: WHO_FIELD, text: g.errors.who }] : [])}
      <p class="govuk-body">${g.intro}</p>
      ${choices.length === 0
        ? html`<p class="govuk-body">${g.noChoice}</p>`
        : html`<form method="get" action="/consents/new/data" novalidate>
            <div class="govuk-form-group${error ? ' govuk-form-group--error' : ''}">
              <fieldset class="govuk-fieldset" aria-describedby="who-hint">
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">${g.chooseWho}</legend>
                <div id="who-hint" class="govuk-hint">${g.chooseWhoHint}</div>
                ${error ? html`<p class="govuk-error-message">${g.errors.who}</p>` : ''}
                ${[...byOrganisation].map(
                  ([requester, list]) =>
                    html`<h3 class="govuk-heading-s">${organisation(names, requester)}</h3>
                      <div class="govuk-radios govuk-!-margin-bottom-4">${list.map(radio)}</div>`,
                )}
              </fieldset>
            </div>
            <button type="submit" class="govuk-button">${g.continue}</button>
          </form>`}`,
    { back: { href: '/consents', label: g.cancel }, caption: g.caption },
  );
}

/** Step 2: which products and fields, for how long, and whether to keep the organisation up to date. */
export function grantDataPage(
  context: SignedIn,
  names: Names,
  choice: GrantChoice,
  values: Readonly<Record<string, string>> | undefined,
  errors: readonly { field: string; error: GrantError }[] = [],
): string {
  const { m } = context;
  const g = m.grant;
  const lang = m.lang;
  // A first visit ticks everything the contract allows; a form sent back keeps the citizen's ticks.
  const ticked = (name: string): boolean => values === undefined || values[name] === YES;
  const errorOf = (error: GrantError): string | undefined => errors.find((e) => e.error === error)?.field;
  const mode = values?.[MODE_FIELD];
  const productBlock = ({ product, fields }: GrantChoice['products'][number]): SafeHtml => {
    const contract = names.catalogue.latest(product);
    const title = contract?.title[lang] ?? product;
    const box = productBox(product);
    return html`<div class="govuk-checkboxes__item">
        <input
          class="govuk-checkboxes__input"
          id="${box}"
          name="${box}"
          type="checkbox"
          value="${YES}"
          ${ticked(box) ? html`checked` : ''}
        />
        <label class="govuk-label govuk-checkboxes__label" for="${box}"><strong>${title}</strong></label>
      </div>
      <fieldset class="govuk-fieldset govuk-!-margin-left-6 govuk-!-margin-bottom-4">
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${g.fieldsOf(title)}</legend>
        <div class="govuk-checkboxes govuk-checkboxes--small">
          ${fields.map((field) => {
            const name = fieldBox(product, field);
            return html`<div class="govuk-checkboxes__item">
              <input
                class="govuk-checkboxes__input"
                id="${name}"
                name="${name}"
                type="checkbox"
                value="${YES}"
                ${ticked(name) ? html`checked` : ''}
              />
              <label class="govuk-label govuk-checkboxes__label" for="${name}"
                >${contract?.fields[field]?.[lang] ?? field}</label
              >
            </div>`;
          })}
        </div>
      </fieldset>`;
  };
  const modeRadio = (value: 'one-time' | 'ongoing'): SafeHtml =>
    html`<div class="govuk-radios__item">
      <input
        class="govuk-radios__input"
        id="${MODE_FIELD}-${value}"
        name="${MODE_FIELD}"
        type="radio"
        value="${value}"
        aria-describedby="${MODE_FIELD}-${value}-hint"
        ${mode === value ? html`checked` : ''}
      />
      <label class="govuk-label govuk-radios__label" for="${MODE_FIELD}-${value}">${m.mode[value]}</label>
      <div id="${MODE_FIELD}-${value}-hint" class="govuk-hint govuk-radios__hint">${m.modeHint[value]}</div>
    </div>`;
  const productsError = errorOf('products') ?? errorOf('fields');
  const modeError = errorOf('mode');
  return page(
    context,
    `${organisation(names, choice.requester)} · ${purposeTitle(names, lang, choice.purpose)}`,
    html`${errorSummary(
        g.errorTitle,
        errors.map((e) => ({ field: e.field, text: g.errors[e.error] })),
      )}
      <form method="post" action="/consents/new/review" novalidate>
        ${csrfField(context)}
        <input type="hidden" name="${WHO_FIELD}" value="${whoOf(choice)}" />
        <div class="govuk-form-group${productsError === undefined ? '' : ' govuk-form-group--error'}">
          <fieldset class="govuk-fieldset" aria-describedby="data-hint">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">${g.chooseData}</legend>
            <div id="data-hint" class="govuk-hint">${g.chooseDataHint}</div>
            ${productsError === undefined
              ? ''
              : html`<p class="govuk-error-message">
                  ${g.errors[errorOf('products') === undefined ? 'fields' : 'products']}
                </p>`}
            <div class="govuk-checkboxes">${choice.products.map(productBlock)}</div>
          </fieldset>
        </div>
        <div class="govuk-form-group${modeError === undefined ? '' : ' govuk-form-group--error'}">
          <fieldset class="govuk-fieldset">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">${g.use}</legend>
            ${modeError === undefined ? '' : html`<p class="govuk-error-message">${g.errors.mode}</p>`}
            <div class="govuk-radios">${modeRadio('one-time')} ${modeRadio('ongoing')}</div>
          </fieldset>
        </div>
        <div class="govuk-form-group">
          <div class="govuk-checkboxes govuk-checkboxes--small">
            <div class="govuk-checkboxes__item">
              <input
                class="govuk-checkboxes__input"
                id="${KEEP_FIELD}"
                name="${KEEP_FIELD}"
                type="checkbox"
                value="${YES}"
                aria-describedby="${KEEP_FIELD}-hint"
                ${values?.[KEEP_FIELD] === YES ? html`checked` : ''}
              />
              <label class="govuk-label govuk-checkboxes__label" for="${KEEP_FIELD}">${g.keepUpToDate}</label>
              <div id="${KEEP_FIELD}-hint" class="govuk-hint govuk-checkboxes__hint">${g.keepUpToDateHint}</div>
            </div>
          </div>
        </div>
        <button type="submit" class="govuk-button">${g.review}</button>
      </form>`,
    { back: { href: '/consents/new', label: g.cancel }, caption: g.caption },
  );
}

/** Step 3: the summary, with the terms carried in hidden fields to the confirmation. */
export function grantReviewPage(
  context: SignedIn,
  names: Names,
  choice: GrantChoice,
  terms: TermsInput,
  until: Date,
  formatUntil: (date: Date) => string,
): string {
  const { m } = context;
  const g = m.grant;
  const lang = m.lang;
  const purpose = names.catalogue.purposes.get(choice.purpose);
  const items = terms.products.map((item) => (typeof item === 'string' ? { product: item } : item));
  const changeHref = `/consents/new/data?${WHO_FIELD}=${encodeURIComponent(whoOf(choice))}`;
  return page(
    context,
    g.reviewTitle,
    html`<p class="govuk-body">${g.reviewIntro}</p>
      ${summaryList([
        [m.consents.purpose, purpose?.title[lang] ?? choice.purpose],
        [m.receipt.who, organisation(names, choice.requester)],
        purpose?.legalReference !== undefined && [m.consents.legalReference, purpose.legalReference],
        [m.consents.data, dataList(names, lang, choice.requester, choice.purpose, items)],
        [m.consents.use, m.mode[terms.mode ?? 'ongoing']],
        [m.receipt.until, formatUntil(until)],
        terms.mode === 'ongoing' && [
          m.consents.updates,
          terms.keepUpToDate === true ? m.consents.keptUpToDate : m.consents.notKeptUpToDate,
        ],
      ])}
      <form method="post" action="/consents/new/confirm">
        ${csrfField(context)}
        ${Object.entries(termsAsForm(terms, choice)).map(
          ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
        )}
        <div class="govuk-button-group">
          <button type="submit" class="govuk-button">${g.confirm}</button>
          <a class="govuk-link" href="${changeHref}">${g.change}</a>
          <a class="govuk-link" href="/consents">${g.cancel}</a>
        </div>
      </form>`,
    { back: { href: changeHref, label: g.change }, caption: g.caption },
  );
}
