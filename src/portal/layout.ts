import { html, type SafeHtml } from './html';
import type { Messages } from './messages';

/** Who is signed in, as a page needs it. */
export interface PageSession {
  subject: string;
  officer: boolean;
  csrf: string;
}

export interface PageContext {
  m: Messages;
  /** This page's path and query, for the language switch to come back to. */
  path: string;
  session?: PageSession;
}

/** The portal's only stylesheet: served from /portal.css, contrast at least 4.5:1 everywhere. */
export const PORTAL_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; background: #fff; }
a { color: #0b4f9c; }
a:hover { color: #06305f; }
:focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
header { background: #0b2f5b; color: #fff; padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; }
header a, header .who { color: #fff; }
header .brand { font-weight: 700; font-size: 1.25rem; text-decoration: none; }
header .brand span { display: block; font-weight: 400; font-size: .875rem; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; }
.account { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.account form { margin: 0; }
.account button { background: #fff; color: #0b2f5b; border: 1px solid #fff; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.75rem; }
h2 { font-size: 1.375rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
caption { text-align: left; font-weight: 700; padding: .5rem 0; }
th, td { border: 1px solid #6f6f6f; padding: .5rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
button, .button { font: inherit; display: inline-block; padding: .5rem 1rem; border-radius: 4px; border: 2px solid #0b4f9c; background: #0b4f9c; color: #fff; cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: #fff; color: #0b4f9c; }
button.danger { background: #a4161a; border-color: #a4161a; color: #fff; }
form.inline { display: inline; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; margin: 1rem 0; }
.filters label { display: flex; flex-direction: column; font-weight: 600; }
input, select { font: inherit; padding: .375rem; border: 1px solid #555; border-radius: 4px; color: #1b1b1b; background: #fff; }
.notice { border-left: 6px solid #0b6e3b; background: #e8f5ee; padding: .75rem 1rem; }
.alert { border-left: 6px solid #a4161a; background: #fbeaea; padding: .75rem 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 700; }
dd { margin: 0; overflow-wrap: anywhere; }
.request { border: 1px solid #6f6f6f; border-radius: 4px; padding: 1rem; margin: 1rem 0; }
.choice { display: flex; gap: .5rem; align-items: flex-start; margin: 1rem 0 .25rem; font-weight: 600; }
.choice input { width: 1.25rem; height: 1.25rem; margin: .125rem 0 0; flex: none; }
.hint { margin: 0 0 1rem; color: #3d3d3d; }
.actions { display: flex; gap: 1rem; flex-wrap: wrap; }
code { overflow-wrap: anywhere; }
footer { border-top: 1px solid #6f6f6f; margin-top: 3rem; padding: 1rem; text-align: center; font-size: .875rem; }
`;

function navigation(context: PageContext): SafeHtml | undefined {
  const { m, session, path } = context;
  if (session === undefined) return undefined;
  const links: [string, string][] = session.officer
    ? [
        ['/officer/audit', m.nav.audit],
        ['/officer/integrity', m.nav.integrity],
      ]
    : [
        ['/consents', m.nav.consents],
        ['/requests', m.nav.requests],
        ['/history', m.nav.history],
      ];
  const current = path.split('?')[0];
  return html`<nav aria-label="${m.nav.label}">
    <ul>
      ${links.map(
        ([href, label]) =>
          html`<li><a href="${href}" ${current.startsWith(href) ? html`aria-current="page"` : ''}>${label}</a></li>`,
      )}
    </ul>
  </nav>`;
}

/** A whole page: the banner, navigation, language switch and sign-in state around `body`. */
export function page(context: PageContext, title: string, body: SafeHtml): string {
  const { m, session, path } = context;
  const other = m.lang === 'fr' ? 'en' : 'fr';
  const switchHref = `/lang?to=${other}&back=${encodeURIComponent(path)}`;
  return `<!doctype html>${
    html`<html lang="${m.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ${m.appName}</title>
        <link rel="stylesheet" href="/portal.css" />
      </head>
      <body>
        <a class="skip" href="#content">${m.skipToContent}</a>
        <header>
          <a class="brand" href="/">${m.appName}<span>${m.tagline}</span></a>
          ${navigation(context)}
          <div class="account">
            <a href="${switchHref}" lang="${other}" hreflang="${other}">${m.otherLanguage}</a>
            ${session === undefined
              ? html`<a href="/auth/login">${m.nav.signIn}</a>`
              : html`<span class="who">${m.nav.signedInAs(session.subject)}</span>
                  <form method="post" action="/auth/logout">
                    <input type="hidden" name="_csrf" value="${session.csrf}" />
                    <button type="submit">${m.nav.signOut}</button>
                  </form>`}
          </div>
        </header>
        <main id="content" tabindex="-1">
          <h1>${title}</h1>
          ${body}
        </main>
        <footer>${m.appName} · ${m.tagline}</footer>
      </body>
    </html>`.value
  }`;
}

/** A CSRF-protected form that posts to `action` with one button. */
export function postButton(
  action: string,
  csrf: string,
  label: string,
  options: { className?: string; ariaLabel?: string } = {},
): SafeHtml {
  return html`<form class="inline" method="post" action="${action}">
    <input type="hidden" name="_csrf" value="${csrf}" />
    <button
      type="submit"
      ${options.className === undefined ? '' : html`class="${options.className}"`}
      ${options.ariaLabel === undefined ? '' : html`aria-label="${options.ariaLabel}"`}
    >
      ${label}
    </button>
  </form>`;
}
