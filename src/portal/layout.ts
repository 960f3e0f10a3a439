import { languageNavigation } from './components';
import { html, type SafeHtml } from './html';
import type { Messages } from './messages';

/** Who is signed in, as a page needs it. */
export interface PageSession {
  subject: string;
  /** The name the IdP gave, shown instead of the subject when there is one. */
  name?: string;
  officer: boolean;
  csrf: string;
}

export interface PageContext {
  m: Messages;
  /** This page's path and query, for the language switch to come back to. */
  path: string;
  session?: PageSession;
}

/** Where a page sits: links back above its heading, and whether the heading is the page's own. */
export interface PageOptions {
  back?: { href: string; label: string };
  /** A caption above the heading (the section the page belongs to). */
  caption?: string;
}

function navigationLinks(m: Messages, session: PageSession): [string, string][] {
  return session.officer
    ? [
        ['/officer/audit', m.nav.audit],
        ['/officer/integrity', m.nav.integrity],
      ]
    : [
        ['/consents', m.nav.consents],
        ['/requests', m.nav.requests],
        ['/my-information', m.nav.myInformation],
        ['/history', m.nav.history],
        ['/contact', m.nav.contact],
      ];
}

function navigation(context: PageContext): SafeHtml | undefined {
  const { m, session, path } = context;
  if (session === undefined) return undefined;
  const current = path.split('?')[0];
  return html`<nav aria-label="${m.nav.label}" class="govuk-service-navigation__wrapper">
    <ul class="govuk-service-navigation__list" id="navigation">
      ${navigationLinks(m, session).map(([href, label]) =>
        current === href || current.startsWith(`${href}/`)
          ? html`<li class="govuk-service-navigation__item govuk-service-navigation__item--active">
              <a class="govuk-service-navigation__link" href="${href}" aria-current="page"
                ><strong class="govuk-service-navigation__active-fallback">${label}</strong></a
              >
            </li>`
          : html`<li class="govuk-service-navigation__item">
              <a class="govuk-service-navigation__link" href="${href}">${label}</a>
            </li>`,
      )}
    </ul>
  </nav>`;
}

function languageSwitch({ m, path }: PageContext): SafeHtml {
  const other = m.lang === 'fr' ? 'en' : 'fr';
  return languageNavigation(
    m.nav.language,
    { lang: other, name: m.otherLanguage, href: `/lang?to=${other}&back=${encodeURIComponent(path)}` },
    { lang: m.lang, name: m.languageName },
  );
}

function account({ m, session }: PageContext): SafeHtml {
  return html`<div class="passerelle-account">
    <div class="govuk-width-container">
      ${session === undefined
        ? html`<a class="govuk-link govuk-link--inverse" href="/auth/login">${m.nav.signIn}</a>`
        : html`<span class="passerelle-break">${m.nav.signedInAs(session.name ?? session.subject)}</span>
            <form class="passerelle-inline-form" method="post" action="/auth/logout">
              <input type="hidden" name="_csrf" value="${session.csrf}" />
              <button type="submit" class="passerelle-link-button">${m.nav.signOut}</button>
            </form>`}
    </div>
  </div>`;
}

function footer(m: Messages): SafeHtml {
  const links: [string, string][] = [
    ['/privacy', m.footer.privacy],
    ['/accessibility', m.footer.accessibility],
    ['/support', m.footer.support],
  ];
  return html`<footer class="govuk-footer">
    <div class="govuk-width-container">
      <div class="govuk-footer__meta">
        <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
          <h2 class="govuk-visually-hidden">${m.footer.heading}</h2>
          <ul class="govuk-footer__inline-list">
            ${links.map(
              ([href, label]) =>
                html`<li class="govuk-footer__inline-list-item">
                  <a class="govuk-footer__link" href="${href}">${label}</a>
                </li>`,
            )}
          </ul>
          <p class="govuk-body-s">${m.appName} · ${m.tagline}</p>
        </div>
      </div>
    </div>
  </footer>`;
}

/** A whole page: the banner, navigation, language switch, sign-in state and footer around `body`. */
export function page(context: PageContext, title: string, body: SafeHtml, options: PageOptions = {}): string {
  const { m } = context;
  return `<!doctype html>${
    html`<html lang="${m.lang}" class="govuk-template">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <meta name="theme-color" content="#095797" />
        <title>${title} · ${m.appName}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/portal.css" />
      </head>
      <body class="govuk-template__body">
        <a class="govuk-skip-link" href="#content">${m.skipToContent}</a>
        <header>
          <div class="govuk-service-navigation govuk-service-navigation--inverse">
            <div class="govuk-width-container">
              <div class="govuk-service-navigation__container">
                <span class="govuk-service-navigation__service-name">
                  <a href="/" class="govuk-service-navigation__link">${m.appName}</a>
                </span>
                ${navigation(context)}
              </div>
              ${languageSwitch(context)}
            </div>
          </div>
          ${account(context)}
        </header>
        <div class="govuk-width-container">
          ${options.back === undefined
            ? ''
            : html`<a href="${options.back.href}" class="govuk-back-link">${options.back.label}</a>`}
          <main class="govuk-main-wrapper" id="content" tabindex="-1">
            ${options.caption === undefined ? '' : html`<span class="govuk-caption-l">${options.caption}</span>`}
            <h1 class="govuk-heading-l">${title}</h1>
            ${body}
          </main>
        </div>
        ${footer(m)}
      </body>
    </html>`.value
  }`;
}

/** A CSRF-protected form that posts to `action` with one button. */
export function postButton(
  action: string,
  csrf: string,
  label: string,
  options: { variant?: 'secondary' | 'warning'; ariaLabel?: string } = {},
): SafeHtml {
  return html`<form class="passerelle-inline-form" method="post" action="${action}">
    <input type="hidden" name="_csrf" value="${csrf}" />
    <button
      type="submit"
      class="govuk-button${options.variant === undefined ? '' : ` govuk-button--${options.variant}`}"
      ${options.ariaLabel === undefined ? '' : html`aria-label="${options.ariaLabel}"`}
    >
      ${label}
    </button>
  </form>`;
}
