import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startDevIdpProcess } from '../src/citizen-auth/dev-idp/dev-idp-process';
import type { ChildService } from '../src/platform/child-service';
import { PortalOidc } from '../src/portal/portal-oidc';
import { testEnv } from './setup/test-env';
import { TEST_AUDIENCE } from './support/citizen-tokens';
import { WebClient } from './support/web-client';

/** The IdP runs from the build, as `npm start` runs it: oidc-provider is an ES module that Jest cannot load. */
const DEV_IDP_MAIN = join(__dirname, '..', 'dist', 'citizen-auth', 'dev-idp', 'main.js');
const PORTAL = 'http://127.0.0.1:8181';
const REDIRECT_URI = `${PORTAL}/auth/callback`;

/** An authorization request under way in one browser: its cookies, state and PKCE verifier. */
interface SignIn {
  browser: WebClient;
  state: string;
  verifier: string;
  /** The sign-in page's URL, `/interaction/<uid>` at the IdP. */
  interaction: string;
  page: Response;
}

describe('The development IdP’s own sign-in pages: branded, bilingual, no consent step', () => {
  let idp: ChildService<string>;
  let issuer: string;

  beforeAll(async () => {
    idp = await startDevIdpProcess({
      script: DEV_IDP_MAIN,
      port: 0,
      keyFile: testEnv('idpKeyFile'),
      audience: TEST_AUDIENCE,
      roleClaim: 'roles',
      portalClientId: 'passerelle-portal',
      redirectUris: [REDIRECT_URI],
    });
    issuer = idp.detail;
  });

  afterAll(() => idp.stop());

  /** The portal's authorization request, as a browser follows it to the sign-in page. */
  const start = async (
    params: Record<string, string> = {},
    headers: Record<string, string> = {},
    browser = new WebClient(),
  ): Promise<SignIn> => {
    const state = randomBytes(8).toString('hex');
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${issuer}/auth`);
    for (const [name, value] of Object.entries({
      client_id: 'passerelle-portal',
      response_type: 'code',
      scope: 'openid roles profile email',
      redirect_uri: REDIRECT_URI,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
      nonce: randomBytes(8).toString('hex'),
      resource: TEST_AUDIENCE,
      prompt: 'login',
      ...params,
    })) {
      authorize.searchParams.set(name, value);
    }
    const redirect = await browser.request(authorize.href, { headers });
    expect(redirect.status).toBe(303);
    const interaction = new URL(redirect.headers.get('location') ?? '', issuer).href;
    expect(new URL(interaction).pathname).toMatch(/^\/interaction\/[\w-]+$/);
    return { browser, state, verifier, interaction, page: await browser.request(interaction, { headers }) };
  };

  /** Follows the IdP's redirects back to the portal, and reads the callback's query. */
  const backToPortal = async (browser: WebClient, response: Response): Promise<URLSearchParams> => {
    let current = response;
    for (let hop = 0; hop < 5; hop++) {
      expect(current.status).toBe(303);
      const location = new URL(current.headers.get('location') ?? '', issuer);
      if (location.href.startsWith(REDIRECT_URI)) return location.searchParams;
      // Only the IdP's resume step between the form and the portal: never a consent page.
      expect(location.pathname).toMatch(/^\/auth\/[\w-]+$/);
      current = await browser.request(location.href);
    }
    throw new Error('the IdP never sent the browser back to the portal');
  };

  const signInAs = async ({ browser, interaction }: Pick<SignIn, 'browser' | 'interaction'>, account: string) =>
    backToPortal(browser, await browser.request(`${interaction}/login`, { form: { account } }));

  const tokensFor = async (signIn: SignIn, code: string) => {
    const token = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: 'passerelle-portal',
        code_verifier: signIn.verifier,
        resource: TEST_AUDIENCE,
      }).toString(),
    });
    expect(token.status).toBe(200);
    return (await token.json()) as { id_token: string; access_token: string };
  };

  it('shows a French sign-in page by default: the demo accounts by name, no debug, no script, a strict policy', async () => {
    const { page } = await start();
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain(`form-action 'self' ${PORTAL};`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain('Passerelle');
    expect(html).toContain('Ceci est le service de connexion de développement.');
    expect(html).toContain('Émilie Rose Tremblay');
    expect(html).toContain('Jean-François Gagnon');
    expect(html).toContain('Nathalie Lavoie');
    expect(html).toMatch(/value="demo-officer"/);
    expect(html).toContain('<link rel="stylesheet" href="/portal.css" />');
    expect(html).toMatch(/<button type="submit" class="govuk-button">\s*Se connecter\s*<\/button>/);
    for (const absent of ['DEBUG', 'fonts.googleapis', '<script', 'name="password"', 'Authorize']) {
      expect(html).not.toContain(absent);
    }
  });

  it('serves the portal’s stylesheet and icon itself', async () => {
    const css = await fetch(`${issuer}/portal.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.govuk-service-navigation--inverse');
    const icon = await fetch(`${issuer}/favicon.svg`);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(await icon.text()).toMatch(/^<svg /);
  });

  it('speaks English when the portal asks with ui_locales, or the browser with Accept-Language', async () => {
    const asked = await (await start({ ui_locales: 'en-CA' }, { 'accept-language': 'fr-CA' })).page.text();
    expect(asked).toContain('<html lang="en"');
    expect(asked).toContain('This is the development sign-in service.');
    const browser = await (await start({}, { 'accept-language': 'en-CA,en;q=0.9' })).page.text();
    expect(browser).toContain('<html lang="en"');
    expect(browser).toContain('Sign in to Passerelle');
  });

  it('switches language from the page itself', async () => {
    const { browser, interaction, page } = await start();
    const html = await page.text();
    const link = /href="(\/interaction\/[\w-]+\?lang=en)"/.exec(html)?.[1];
    expect(link).toBeDefined();
    const english = await browser.request(new URL(link ?? '', issuer).href);
    expect(english.status).toBe(200);
    expect(await english.text()).toContain('Which account do you want to sign in with?');
    expect(new URL(link ?? '', issuer).pathname).toBe(new URL(interaction).pathname);
  });

  it('sends the browser back to the portal with a code once an account is chosen, and no consent step', async () => {
    const signIn = await start();
    const callback = await signInAs(signIn, 'demo-citizen-2');
    expect(callback.get('state')).toBe(signIn.state);
    expect(callback.get('error')).toBeNull();
    const tokens = await tokensFor(signIn, callback.get('code') ?? '');
    expect(decodeJwt(tokens.id_token)).toMatchObject({
      sub: 'demo-citizen-2',
      name: 'Jean-François Gagnon',
      given_name: 'Jean-François',
      family_name: 'Gagnon',
      email: 'jean-francois.gagnon@citoyens.example',
      email_verified: true,
      locale: 'fr-CA',
    });
    // The API's token says who and which roles, not the person's name or address.
    const access = decodeJwt(tokens.access_token);
    expect(access.sub).toBe('demo-citizen-2');
    expect(access.email).toBeUndefined();
    expect(access.name).toBeUndefined();
  });

  it('names the officer and carries the role; the English-reading citizen’s locale is en-CA', async () => {
    const officer = await start();
    const officerTokens = await tokensFor(officer, (await signInAs(officer, 'demo-officer')).get('code') ?? '');
    expect(decodeJwt(officerTokens.id_token)).toMatchObject({ name: 'Nathalie Lavoie', roles: ['privacy-officer'] });
    const sophie = await start();
    const sophieTokens = await tokensFor(sophie, (await signInAs(sophie, 'demo-citizen-5')).get('code') ?? '');
    expect(decodeJwt(sophieTokens.id_token)).toMatchObject({
      email: 'sophie.bouchard@citoyens.example',
      locale: 'en-CA',
    });
  });

  it('lets another person sign in on the same browser: the earlier session ends, no logout page', async () => {
    const browser = new WebClient();
    const first = await start({}, {}, browser);
    expect((await signInAs(first, 'demo-citizen-1')).get('code')).not.toBeNull();
    const second = await start({}, {}, browser);
    const callback = await signInAs(second, 'demo-citizen-3');
    const tokens = await tokensFor(second, callback.get('code') ?? '');
    expect(decodeJwt(tokens.id_token)).toMatchObject({ sub: 'demo-citizen-3', name: 'Amélie Roy' });
  });

  it('answers a cancel with access_denied at the portal', async () => {
    const signIn = await start();
    const html = await signIn.page.text();
    const cancel = /<a class="govuk-link" href="(\/interaction\/[\w-]+\/abort\?lang=fr)">Annuler/.exec(html)?.[1];
    expect(cancel).toBeDefined();
    const callback = await backToPortal(signIn.browser, await signIn.browser.request(`${issuer}${cancel ?? ''}`));
    expect(callback.get('error')).toBe('access_denied');
    expect(callback.get('state')).toBe(signIn.state);
    expect(callback.get('code')).toBeNull();
  });

  it('refuses an unknown or missing account on the branded page, and the interaction stays usable', async () => {
    const signIn = await start({ ui_locales: 'en' });
    for (const form of [{ account: 'demo-citizen-9' }, { lang: 'en' }] as Record<string, string>[]) {
      const refused = await signIn.browser.request(`${signIn.interaction}/login`, { form });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('location')).toBeNull();
      const html = await refused.text();
      expect(html).toContain('There is a problem');
      expect(html).toContain('Choose one of the accounts in the list.');
      expect(html).toContain('govuk-form-group--error');
    }
    expect((await signInAs(signIn, 'demo-citizen-4')).get('code')).not.toBeNull();
  });

  it('binds the form to its own interaction: refused without its cookie, for another interaction, or replayed', async () => {
    const signIn = await start();
    const other = await start();
    const stranger = new WebClient();
    const form = { account: 'demo-citizen-1' };

    // Posted from elsewhere: no interaction cookie (SameSite=Lax keeps it from cross-site posts).
    const noCookie = await stranger.request(`${signIn.interaction}/login`, { form });
    expect(noCookie.status).toBe(400);
    // This browser's cookie, another interaction's URL.
    const crossed = await signIn.browser.request(`${other.interaction}/login`, { form });
    expect(crossed.status).toBe(400);
    const page = await crossed.text();
    expect(page).toContain('Nous n’avons pas pu vous connecter');
    expect(page).toMatch(/<strong class="passerelle-break">IDP-[0-9A-F]{8}<\/strong>/);

    expect((await signInAs(signIn, 'demo-citizen-1')).get('code')).not.toBeNull();
    const replayed = await signIn.browser.request(`${signIn.interaction}/login`, { form });
    expect(replayed.status).toBe(400);
    // The other interaction was not finished by any of this.
    expect((await signInAs(other, 'demo-citizen-5')).get('code')).not.toBeNull();
  });

  it('shows provider errors on the branded page: a reference and the way back, no stack or detail', async () => {
    const response = await fetch(`${issuer}/auth?client_id=nobody&response_type=code&scope=openid`, {
      headers: { 'accept-language': 'en' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('We could not sign you in');
    expect(html).toMatch(/IDP-[0-9A-F]{8}/);
    expect(html).toContain(`href="${PORTAL}/">Back to the portal</a>`);
    for (const absent of ['invalid_client', 'nobody', 'node_modules', '    at ', 'Error:', '<script', '<pre']) {
      expect(html).not.toContain(absent);
    }
  });

  it('is what the portal’s client asks for: in the person’s language, and it reads the profile from the ID token', async () => {
    const portal = new PortalOidc({
      issuer,
      clientId: 'passerelle-portal',
      redirectUri: REDIRECT_URI,
      audience: TEST_AUDIENCE,
    });
    const { url, login } = await portal.start('en');
    expect(new URL(url).searchParams.get('scope')).toBe('openid roles profile email');
    expect(new URL(url).searchParams.get('ui_locales')).toBe('en');
    const browser = new WebClient();
    const redirect = await browser.request(url);
    const interaction = new URL(redirect.headers.get('location') ?? '', issuer).href;
    expect(await (await browser.request(interaction)).text()).toContain('<html lang="en"');
    const callback = await signInAs({ browser, interaction }, 'demo-citizen-1');
    const signedIn = await portal.complete(`?${callback.toString()}`, login);
    expect(signedIn.subject).toBe('demo-citizen-1');
    expect(signedIn.profile).toEqual({
      name: 'Émilie Rose Tremblay',
      email: 'emilie.tremblay@citoyens.example',
      emailVerified: true,
      locale: 'fr-CA',
    });
  });

  it('asks before signing out of the IdP, then says so, in the same style', async () => {
    const signIn = await start();
    await signInAs(signIn, 'demo-citizen-1');
    const confirm = await signIn.browser.request(`${issuer}/session/end`);
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain('Se déconnecter du service de connexion ?');
    expect(page).not.toContain('<script');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const confirmed = await signIn.browser.request(`${issuer}/session/end/confirm`, { form: { xsrf, logout: 'yes' } });
    expect(confirmed.status).toBe(303);
    const done = await signIn.browser.request(new URL(confirmed.headers.get('location') ?? '', issuer).href);
    expect(done.status).toBe(200);
    const farewell = await done.text();
    expect(farewell).toContain('Vous êtes déconnecté');
    expect(farewell).toContain(`href="${PORTAL}/"`);
  });
});
