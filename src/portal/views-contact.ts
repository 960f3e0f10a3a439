import {
  CITIZEN_EVENTS,
  CONTACT_LANGS,
  type ContactError,
  type ContactField,
  type ContactInput,
} from '../notifications/citizen-contact';
import type { ContactView } from '../notifications/citizen-contacts.service';
import { errorSummary, successBanner, summaryList } from './components';
import { eventField, TICKED } from './contact-form';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import { CONTACT_MESSAGES, type ContactMessages } from './messages-contact';
import { formatDate } from './views-citizen';

export type ContactNotice = 'saved' | 'sent' | 'confirmed';

export interface ContactPageOptions {
  smsAvailable: boolean;
  /** What the citizen submitted, shown again beside its errors. */
  values?: Required<ContactInput>;
  errors?: readonly ContactError[];
  notice?: ContactNotice;
  /** The confirmation link of a new address could not be sent. */
  notSent?: boolean;
  /** A confirmation link that was refused. */
  refused?: 'invalid' | 'expired';
}

type SignedInPage = PageContext & { session: { csrf: string } };

/** The first problem of a field, in words. */
function errorOf(t: ContactMessages, errors: readonly ContactError[], field: ContactField): string | undefined {
  const error = errors.find((e) => e.field === field);
  return error === undefined ? undefined : t.errors[error.problem];
}

function errorMessage(t: ContactMessages, id: string, text: string | undefined): SafeHtml | '' {
  return text === undefined
    ? ''
    : html`<p id="${id}-error" class="govuk-error-message">
        <span class="govuk-visually-hidden">${t.errorPrefix}</span> ${text}
      </p>`;
}

function textInput(
  t: ContactMessages,
  field: { id: 'email' | 'mobile'; label: string; hint: string; value: string; error: string | undefined },
): SafeHtml {
  const { id, label, hint, value, error } = field;
  const kind = id === 'email' ? { type: 'email', autocomplete: 'email' } : { type: 'tel', autocomplete: 'tel' };
  return html`<div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">
    <label class="govuk-label govuk-label--s" for="${id}">${label}</label>
    <div id="${id}-hint" class="govuk-hint">${hint}</div>
    ${errorMessage(t, id, error)}
    <input
      class="govuk-input${error === undefined ? '' : ' govuk-input--error'}"
      id="${id}"
      name="${id}"
      type="${kind.type}"
      autocomplete="${kind.autocomplete}"
      spellcheck="false"
      value="${value}"
      aria-describedby="${id}-hint${error === undefined ? '' : ` ${id}-error`}"
    />
  </div>`;
}

function languageRadios(t: ContactMessages, chosen: string, error: string | undefined): SafeHtml {
  return html`<div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">
    <fieldset class="govuk-fieldset" ${error === undefined ? '' : html`aria-describedby="lang-error"`}>
      <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${t.langLegend}</legend>
      ${errorMessage(t, 'lang', error)}
      <div class="govuk-radios govuk-radios--inline" data-module="govuk-radios">
        ${CONTACT_LANGS.map((lang, index) => {
          const id = index === 0 ? 'lang' : `lang-${index + 1}`;
          return html`<div class="govuk-radios__item">
            <input
              class="govuk-radios__input"
              id="${id}"
              name="lang"
              type="radio"
              value="${lang}"
              ${lang === chosen ? html`checked` : ''}
            />
            <label class="govuk-label govuk-radios__label" for="${id}" lang="${lang}">${t.langNames[lang]}</label>
          </div>`;
        })}
      </div>
    </fieldset>
  </div>`;
}

function eventCheckboxes(
  t: ContactMessages,
  channel: 'mail' | 'sms',
  legend: string,
  hint: string,
  chosen: readonly string[],
  error: string | undefined,
): SafeHtml {
  const id = channel === 'mail' ? 'mailEvents' : 'smsEvents';
  return html`<div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">
    <fieldset class="govuk-fieldset" aria-describedby="${id}-hint${error === undefined ? '' : ` ${id}-error`}">
      <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${legend}</legend>
      <div id="${id}-hint" class="govuk-hint">${hint}</div>
      ${errorMessage(t, id, error)}
      <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
        ${CITIZEN_EVENTS.map((event, index) => {
          const boxId = index === 0 ? id : `${id}-${index + 1}`;
          return html`<div class="govuk-checkboxes__item">
            <input
              class="govuk-checkboxes__input"
              id="${boxId}"
              name="${eventField(channel, event)}"
              type="checkbox"
              value="${TICKED}"
              ${chosen.includes(event) ? html`checked` : ''}
            />
            <label class="govuk-label govuk-checkboxes__label" for="${boxId}">${t.events[event]}</label>
          </div>`;
        })}
      </div>
    </fieldset>
  </div>`;
}

const tag = (text: string, colour: 'green' | 'yellow' | 'grey'): SafeHtml =>
  html`<strong class="govuk-tag govuk-tag--${colour}">${text}</strong>`;

/** Where messages go now, and the address waiting for its link. */
function currentDetails(
  context: PageContext,
  t: ContactMessages,
  contact: ContactView,
  smsAvailable: boolean,
): SafeHtml {
  const expired = contact.pendingExpiresAt !== null && contact.pendingExpiresAt.getTime() <= Date.now();
  return summaryList([
    [
      t.email,
      contact.email === null
        ? t.none
        : html`${contact.email} ${contact.emailConfirmed ? tag(t.confirmed, 'green') : tag(t.notConfirmed, 'grey')}`,
    ],
    contact.pendingEmail !== null && [
      t.pending,
      html`${contact.pendingEmail} ${tag(t.pending, 'yellow')}
        <p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0">
          ${expired || contact.pendingExpiresAt === null
            ? t.pendingExpired
            : t.pendingUntil(formatDate(context.m.lang, contact.pendingExpiresAt, true))}
        </p>`,
    ],
    smsAvailable && [t.mobile, contact.mobile ?? t.none],
  ]);
}

/** The contact details page: where Passerelle writes, in which language, and about what. */
export function contactPage(context: SignedInPage, contact: ContactView, options: ContactPageOptions): string {
  const t = CONTACT_MESSAGES[context.m.lang];
  const errors = options.errors ?? [];
  const values = options.values ?? {
    email: contact.pendingEmail ?? contact.email ?? '',
    mobile: contact.mobile ?? '',
    lang: contact.lang,
    mailEvents: contact.mailEvents,
    smsEvents: contact.smsEvents,
  };
  const summary = [
    ...errors.map((error) => ({ field: error.field, text: t.errors[error.problem] })),
    ...(options.refused === undefined ? [] : [{ field: 'email', text: t.refused[options.refused] }]),
  ];
  return page(
    context,
    t.title,
    html`${errorSummary(t.errorTitle, summary)}
      ${successBanner(context.m.done, options.notice === undefined ? undefined : t.done[options.notice])}
      ${options.notSent === true
        ? html`<div class="govuk-warning-text">
            <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
            <strong class="govuk-warning-text__text">${t.notSent}</strong>
          </div>`
        : ''}
      <p class="govuk-body">${t.intro}</p>
      <h2 class="govuk-heading-m">${t.current}</h2>
      ${currentDetails(context, t, contact, options.smsAvailable)}
      <form method="post" action="/contact" novalidate>
        <input type="hidden" name="_csrf" value="${context.session.csrf}" />
        ${textInput(t, {
          id: 'email',
          label: t.emailLabel,
          hint: t.emailHint,
          value: values.email,
          error: errorOf(t, errors, 'email'),
        })}
        ${options.smsAvailable
          ? textInput(t, {
              id: 'mobile',
              label: t.mobileLabel,
              hint: t.mobileHint,
              value: values.mobile,
              error: errorOf(t, errors, 'mobile'),
            })
          : ''}
        ${languageRadios(t, values.lang, errorOf(t, errors, 'lang'))}
        ${eventCheckboxes(t, 'mail', t.mailLegend, t.mailHint, values.mailEvents, errorOf(t, errors, 'mailEvents'))}
        ${options.smsAvailable
          ? eventCheckboxes(t, 'sms', t.smsLegend, t.smsHint, values.smsEvents, errorOf(t, errors, 'smsEvents'))
          : html`<p class="govuk-body">${t.smsUnavailable}</p>`}
        <button type="submit" class="govuk-button" data-module="govuk-button">${t.save}</button>
      </form>`,
  );
}

/** A confirmation link opened while signed out: it works only once the citizen who asked for it signs in. */
export function confirmSignInPage(context: PageContext, signIn = '/auth/login'): string {
  const t = CONTACT_MESSAGES[context.m.lang];
  return page(
    context,
    t.signIn.title,
    html`<p class="govuk-body">${t.signIn.text}</p>
      <a class="govuk-button" href="${signIn}">${t.signIn.button}</a>`,
  );
}
