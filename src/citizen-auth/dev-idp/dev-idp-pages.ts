import { languageNavigation } from '../../portal/components';
import { html, SafeHtml } from '../../portal/html';
import { DEV_ACCOUNTS, fullNameOf } from './dev-accounts';
import { IDP_MESSAGES, type IdpMessages } from './dev-idp-messages';
import type { IdpLang } from './dev-idp-language';

/**
 * The dev IdP's pages, in GOV.UK Frontend markup with the portal's stylesheet
 * (served by the IdP at /portal.css) so that signing in looks like part of
 * the portal's journey. Plain HTML: no script, nothing from another host.
 */

interface Frame {
  lang: IdpLang;
  title: string;
  /** Where the language switch leads: this page in the other language. Absent where a page cannot be reloaded. */
  switchHref?: string;
}

function languageSwitch(m: IdpMessages, switchHref: string | undefined): SafeHtml | undefined {
  if (switchHref === undefined) return undefined;
  return languageNavigation(m.languageNavigation, {
    lang: m.lang === 'fr' ? 'en' : 'fr',
    name: m.otherLanguage,
    href: switchHref,
  });
}

/** A whole page: skip link, the service's name in the brand colour, the language switch, `body`, a footer. */
function page(frame: Frame, body: SafeHtml): string {
  const m = IDP_MESSAGES[frame.lang];
  return `<!DOCTYPE html>${
    html`<html lang="${m.lang}" class="govuk-template">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <meta name="robots" content="noindex" />
        <title>${frame.title} · ${m.serviceName}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/portal.css" />
      </head>
      <body class="govuk-template__body">
        <a href="#main-content" class="govuk-skip-link">${m.skipToContent}</a>
        <header class="govuk-template__header">
          <section
            aria-label="${m.serviceInformation}"
            class="govuk-service-navigation govuk-service-navigation--inverse"
          >
            <div class="govuk-width-container govuk-service-navigation__inlining-container">
              <div class="govuk-service-navigation__container">
                <span class="govuk-service-navigation__service-name">
                  <span class="govuk-service-navigation__text">${m.serviceName}</span>
                </span>
              </div>
              ${languageSwitch(m, frame.switchHref)}
            </div>
          </section>
        </header>
        <div class="govuk-width-container">
          <main class="govuk-main-wrapper" id="main-content" tabindex="-1">
            <div class="govuk-grid-row">
              <div class="govuk-grid-column-two-thirds">${body}</div>
            </div>
          </main>
        </div>
        <footer class="govuk-footer">
          <div class="govuk-width-container">
            <div class="govuk-footer__meta">
              <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">${m.footer}</div>
            </div>
          </div>
        </footer>
      </body>
    </html>`.value
  }`;
}

export interface LoginPage {
  lang: IdpLang;
  /** The interaction's id: the form posts to its own URL, bound to its cookie. */
  uid: string;
  /** The account to pre-select: the client's `login_hint`, or the one that was posted. */
  selected?: string;
  /** The form was posted without a known account. */
  invalid?: boolean;
}

function accountRadios(m: IdpMessages, selected: string | undefined): SafeHtml[] {
  return [...DEV_ACCOUNTS].map(([id, account], index) => {
    const inputId = index === 0 ? 'account' : `account-${index + 1}`;
    const role = account.roles.length === 0 ? m.login.citizenHint : m.login.officerHint;
    return html`<div class="govuk-radios__item">
      <input
        class="govuk-radios__input"
        id="${inputId}"
        name="account"
        type="radio"
        value="${id}"
        aria-describedby="${inputId}-hint"
        ${id === selected ? html`checked` : ''}
      />
      <label class="govuk-label govuk-radios__label" for="${inputId}">${fullNameOf(account)}</label>
      <div id="${inputId}-hint" class="govuk-hint govuk-radios__hint passerelle-break">
        ${role} · ${account.email} · ${id}
      </div>
    </div>`;
  });
}

/** Choose a demo account: no password, a list of people, a button, and a way back to the portal. */
export function loginPage({ lang, uid, selected, invalid = false }: LoginPage): string {
  const m = IDP_MESSAGES[lang];
  const base = `/interaction/${encodeURIComponent(uid)}`;
  const other = lang === 'fr' ? 'en' : 'fr';
  const errorSummary = html`<div class="govuk-error-summary">
    <div role="alert">
      <h2 class="govuk-error-summary__title">${m.login.errorSummary}</h2>
      <div class="govuk-error-summary__body">
        <ul class="govuk-list govuk-error-summary__list">
          <li><a href="#account">${m.login.chooseAccount}</a></li>
        </ul>
      </div>
    </div>
  </div>`;
  const body = html`${invalid ? errorSummary : ''}
    <h1 class="govuk-heading-l">${m.login.title}</h1>
    <p class="govuk-body-l">${m.login.intro}</p>
    <form method="post" action="${base}/login" novalidate>
      <input type="hidden" name="lang" value="${lang}" />
      <div class="govuk-form-group${invalid ? ' govuk-form-group--error' : ''}">
        <fieldset class="govuk-fieldset" ${invalid ? html`aria-describedby="account-error"` : ''}>
          <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">${m.login.legend}</legend>
          ${invalid
            ? html`<p id="account-error" class="govuk-error-message">
                <span class="govuk-visually-hidden">${m.login.errorPrefix}</span> ${m.login.chooseAccount}
              </p>`
            : ''}
          <div class="govuk-radios">${accountRadios(m, selected)}</div>
        </fieldset>
      </div>
      <div class="govuk-button-group">
        <button type="submit" class="govuk-button">${m.login.submit}</button>
        <a class="govuk-link" href="${base}/abort?lang=${lang}">${m.login.cancel}</a>
      </div>
    </form>`;
  return page({ lang, title: m.login.title, switchHref: `${base}?lang=${other}` }, body);
}

/** Something went wrong: a plain explanation, a reference to quote, and the way back. No detail of the error. */
export function errorPage(lang: IdpLang, reference: string, portalHome: string): string {
  const m = IDP_MESSAGES[lang];
  const body = html`<h1 class="govuk-heading-l">${m.error.title}</h1>
    <p class="govuk-body">${m.error.body}</p>
    <p class="govuk-body">${m.error.reference} <strong class="passerelle-break">${reference}</strong></p>
    <p class="govuk-body"><a class="govuk-link" href="${portalHome}">${m.error.back}</a></p>`;
  return page({ lang, title: m.error.title }, body);
}

/** RP-initiated logout's confirmation: `form` is the provider's own (id `op.logoutForm`, its xsrf token). */
export function logoutPage(lang: IdpLang, form: string): string {
  const m = IDP_MESSAGES[lang];
  const body = html`<h1 class="govuk-heading-l">${m.logout.title}</h1>
    <p class="govuk-body">${m.logout.body}</p>
    ${new SafeHtml(form)}
    <div class="govuk-button-group">
      <button type="submit" class="govuk-button" form="op.logoutForm" name="logout" value="yes">
        ${m.logout.confirm}
      </button>
      <button type="submit" class="govuk-button govuk-button--secondary" form="op.logoutForm">${m.logout.stay}</button>
    </div>`;
  return page({ lang, title: m.logout.title }, body);
}

/** After a logout that names no page of the client's to go back to. */
export function loggedOutPage(lang: IdpLang, portalHome: string): string {
  const m = IDP_MESSAGES[lang];
  const body = html`<h1 class="govuk-heading-l">${m.loggedOut.title}</h1>
    <p class="govuk-body">${m.loggedOut.body}</p>
    <p class="govuk-body"><a class="govuk-link" href="${portalHome}">${m.loggedOut.back}</a></p>`;
  return page({ lang, title: m.loggedOut.title }, body);
}
