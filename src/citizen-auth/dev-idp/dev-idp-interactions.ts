import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { FAVICON_SVG, portalStylesheet } from '../../portal/stylesheet';
import { DEV_ACCOUNTS } from './dev-accounts';
import { chooseLanguage, type IdpLang } from './dev-idp-language';
import { errorPage, loginPage } from './dev-idp-pages';

/** What the sign-in pages need to know of the IdP they belong to. */
export interface InteractionSite {
  provider: Provider;
  /** The portal's home page, where a person who gives up or hits an error goes back to. */
  portalHome: string;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

const FORM_LIMIT_BYTES = 4096;
/** `/interaction/<uid>`, its form's target `/login`, and its cancel link `/abort` (uids are nanoids). */
const INTERACTION_ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?$/;

/** A request the sign-in pages refuse, with its HTTP status; the person sees the error page. */
class PageRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PageRefusal';
  }
}

/**
 * Every page of the IdP forbids script, other hosts and framing. Its forms
 * post to the IdP itself, but a successful sign-in ends in redirects to the
 * client's redirect URI, and Chromium holds those redirects to `form-action`
 * too: the clients' redirect origins are listed, nothing else.
 *
 * `script-src 'none'` says what `default-src` already does, for one reason:
 * the few pages that oidc-provider writes itself as a self-submitting form
 * (a logout with no session left to confirm) add the SHA-256 of their fixed
 * inline script to an existing `script-src`; beside a hash, 'none' is
 * ignored (Chromium says so in its console) and that one script runs.
 * Without the directive such a page would stay blank. The IdP's own pages
 * never carry a hash: on them, no script at all.
 */
export function contentSecurityPolicy(redirectUris: readonly string[]): string {
  const origins = [...new Set(redirectUris.map((uri) => new URL(uri).origin))];
  return [
    "default-src 'none'",
    "script-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self' ${origins.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The headers every answer of the IdP carries. */
export function securityHeaders(redirectUris: readonly string[]): [string, string][] {
  return [
    ['content-security-policy', contentSecurityPolicy(redirectUris)],
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
    // The interaction's id is in the page's URL: it is not handed to anyone.
    ['referrer-policy', 'no-referrer'],
  ];
}

/** A short reference that a person can read out, and that the IdP's log carries beside the failure. */
export function reportFailure(kind: string, detail: string): string {
  const reference = `IDP-${randomBytes(4).toString('hex').toUpperCase()}`;
  // Only the error's name and description: no stack, no token, no cookie.
  process.stderr.write(`dev IdP: ${reference} ${kind}: ${detail}\n`);
  return reference;
}

function send(response: ServerResponse, status: number, type: string, body: string, cache = 'no-store'): void {
  response.statusCode = status;
  response.setHeader('content-type', type);
  response.setHeader('cache-control', cache);
  response.end(body);
}

const sendPage = (response: ServerResponse, status: number, page: string): void =>
  send(response, status, 'text/html; charset=utf-8', page);

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new PageRefusal(415, 'the form is not urlencoded');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_LIMIT_BYTES) throw new PageRefusal(413, 'the form is too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The interaction under way, as its cookie names it. oidc-provider finds it
 * by the cookie alone (signed, httpOnly, SameSite=Lax, scoped to this
 * interaction's path), and the URL must name the same one: a form posted
 * from another site (no cookie), sent to another interaction's URL, or
 * replayed after the sign-in went through (the interaction is spent) finishes
 * nothing and is refused.
 */
async function interactionOf(site: InteractionSite, request: IncomingMessage, response: ServerResponse, uid: string) {
  const interaction = await site.provider.interactionDetails(request, response);
  if (interaction.uid !== uid) throw new PageRefusal(400, 'the URL names another interaction than the cookie');
  if (interaction.prompt.name !== 'login') throw new PageRefusal(400, `unexpected prompt ${interaction.prompt.name}`);
  return interaction;
}

/**
 * A browser session at the IdP belongs to one person. When someone else
 * signs in on the same browser (a shared computer, or the demo switching
 * accounts), the previous person's session ends first; oidc-provider would
 * otherwise ask to confirm a logout through a page that needs script.
 */
async function endOtherPersonsSession(site: InteractionSite, interaction: Interaction, accountId: string) {
  const previous = interaction.session;
  if (previous === undefined || previous.accountId === accountId) return;
  await (await site.provider.Session.findByUid(previous.uid))?.destroy();
  interaction.session = undefined;
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
}

/**
 * The dev IdP's own pages on its HTTP server, before oidc-provider: the
 * stylesheet and icon, and the sign-in interaction (choose a demo account, or
 * cancel). Resolves to false for anything else, which is the provider's.
 */
export function interactionRoutes(
  site: InteractionSite,
): (request: IncomingMessage, response: ServerResponse) => Promise<boolean> {
  const showLogin = async (request: IncomingMessage, response: ServerResponse, uid: string, url: URL) => {
    const interaction = await interactionOf(site, request, response, uid);
    const hint = interaction.params.login_hint;
    sendPage(
      response,
      200,
      loginPage({
        lang: languageOf(request, interaction, url.searchParams.get('lang')),
        uid,
        selected: typeof hint === 'string' && DEV_ACCOUNTS.has(hint) ? hint : undefined,
      }),
    );
  };

  const login = async (request: IncomingMessage, response: ServerResponse, uid: string) => {
    const form = await readForm(request);
    const interaction = await interactionOf(site, request, response, uid);
    const accountId = form.get('account') ?? '';
    if (!DEV_ACCOUNTS.has(accountId)) {
      const lang = languageOf(request, interaction, form.get('lang'));
      sendPage(response, 400, loginPage({ lang, uid, invalid: true }));
      return;
    }
    await endOtherPersonsSession(site, interaction, accountId);
    // Not remembered: the IdP's session cookie ends with the browser.
    await site.provider.interactionFinished(
      request,
      response,
      { login: { accountId, remember: false } },
      { mergeWithLastSubmission: false },
    );
  };

  // The person gives up: the client hears access_denied, as the protocol says.
  const abort = async (request: IncomingMessage, response: ServerResponse, uid: string) => {
    await interactionOf(site, request, response, uid);
    await site.provider.interactionFinished(
      request,
      response,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
  };

  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://dev-idp.invalid');
    const method = request.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/portal.css') {
      send(response, 200, 'text/css; charset=utf-8', portalStylesheet(), 'public, max-age=3600');
      return true;
    }
    if (method === 'GET' && url.pathname === '/favicon.svg') {
      send(response, 200, 'image/svg+xml', FAVICON_SVG, 'public, max-age=86400');
      return true;
    }
    const route = INTERACTION_ROUTE.exec(url.pathname);
    if (route === null) return false;
    const [, uid, action] = route;
    try {
      if (action === undefined && method === 'GET') await showLogin(request, response, uid, url);
      else if (action === 'login' && method === 'POST') await login(request, response, uid);
      else if (action === 'abort' && method === 'GET') await abort(request, response, uid);
      else throw new PageRefusal(405, `${method} ${action ?? 'page'}`);
    } catch (error) {
      const status = statusOf(error);
      const reference = reportFailure(nameOf(error), descriptionOf(error));
      const lang = chooseLanguage({ chosen: url.searchParams.get('lang'), acceptLanguage: acceptLanguageOf(request) });
      if (!response.headersSent) sendPage(response, status, errorPage(lang, reference, site.portalHome));
      else response.end();
    }
    return true;
  };
}

const acceptLanguageOf = (request: IncomingMessage): string | undefined => request.headers['accept-language'];

function languageOf(request: IncomingMessage, interaction: Interaction, chosen: string | null): IdpLang {
  return chooseLanguage({
    chosen,
    uiLocales: interaction.params.ui_locales,
    acceptLanguage: acceptLanguageOf(request),
  });
}

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

/** oidc-provider's errors say what happened in `error_description`, their message is only the OAuth error code. */
function descriptionOf(error: unknown): string {
  const description = (error as { error_description?: unknown }).error_description;
  if (typeof description === 'string') return description;
  return error instanceof Error ? error.message : String(error);
}

/** A refusal's own status; oidc-provider's errors carry theirs (400 for a missing or spent interaction). */
function statusOf(error: unknown): number {
  if (error instanceof PageRefusal) return error.status;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}
