import { createHash } from 'node:crypto';
import { DEV_ACCOUNTS, fullNameOf, type DevAccount } from '../src/citizen-auth/dev-idp/dev-accounts';
import { Client } from 'pg';
import type { Agent } from 'undici';
import { agencyAgent, call } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { startPortalGateway, type PortalGateway } from './support/portal-gateway';
import { csrfOf, WebClient } from './support/web-client';

describe('The portal over HTTP: sign-in, sessions, CSRF, languages and errors', () => {
  let gateway: PortalGateway;
  let afe: Agent;

  const signIn = async (
    login: string,
    start = '/auth/login',
  ): Promise<{ client: WebClient; page: string; url: string }> => {
    const client = new WebClient();
    const { url, response } = await client.follow(`${gateway.publicUrl}${start}`, login);
    return { client, page: await response.text(), url };
  };

  beforeAll(async () => {
    gateway = await startPortalGateway();
    afe = agencyAgent(gateway.certsDir, 'afe');
  });

  afterAll(async () => {
    await afe.close();
    await gateway.stop();
  });

  it('serves the home page in French by default, in English by choice, with a strict policy and no script', async () => {
    const client = new WebClient();
    const home = await client.request(`${gateway.publicUrl}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    expect(home.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    const french = await home.text();
    expect(french).toContain('<html lang="fr" class="govuk-template">');
    expect(french).not.toContain('<script');

    const switched = await client.request(`${gateway.publicUrl}/lang?to=en&back=/`);
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe('/');
    const english = await (await client.request(`${gateway.publicUrl}/`)).text();
    expect(english).toContain('<html lang="en" class="govuk-template">');
    expect(english).toContain('Sign in');

    const away = await client.request(`${gateway.publicUrl}/lang?to=en&back=//evil.example/`);
    expect(away.headers.get('location')).toBe('/');
  });

  it('answers a browser with an error page and an API client with problem+json', async () => {
    const page = await fetch(`${gateway.publicUrl}/no-such-page`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await page.text();
    expect(text).toContain('Cette page ou ce dossier n’existe pas.');
    expect(text).toContain(`>${page.headers.get('x-correlation-id') ?? 'none'}</code>`);

    const api = await fetch(`${gateway.publicUrl}/v1/no-such-route`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const bare = await fetch(`${gateway.publicUrl}/no-such-page`);
    expect(bare.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('signs a citizen in through the IdP with PKCE, in a signed httpOnly SameSite=Lax cookie', async () => {
    const { client, page, url } = await signIn('demo-citizen-1');
    expect(new URL(url).pathname).toBe('/consents');
    // Greeted by the name the IdP gave, not the subject.
    const account = DEV_ACCOUNTS.get('demo-citizen-1');
    expect(account).toBeDefined();
    expect(page).toContain(`Connecté en tant que ${fullNameOf(account as DevAccount)}`);
    expect(page).not.toContain('demo-citizen-1');
    const session = client.setCookies.filter((c) => c.startsWith('passerelle_session='));
    expect(session.length).toBe(1);
    // The sign-in under way is a cookie for the callback alone, spent there.
    const login = client.setCookies.filter((c) => c.startsWith('passerelle_login='));
    expect(login.length).toBe(2);
    expect(login[0]).toMatch(/Path=\/auth\/callback/);
    expect(login[0]).toMatch(/Max-Age=600/);
    expect(login[1]).toMatch(/^passerelle_login=;/);
    for (const cookie of [...session, ...login]) {
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      // Plain HTTP in tests; production sets Secure.
      expect(cookie).not.toMatch(/Secure/i);
    }
  });

  it('keeps nothing in the database for a sign-in that is only under way, and refuses a forged one', async () => {
    const db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    try {
      const rows = async (): Promise<number> =>
        Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM portal_session')).rows[0].n);
      const before = await rows();
      const starts = await Promise.all(
        Array.from({ length: 20 }, () => fetch(`${gateway.publicUrl}/auth/login`, { redirect: 'manual' })),
      );
      expect(starts.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 303));
      expect(await rows()).toBe(before);

      const cookie = (starts[0].headers.get('set-cookie') ?? '').split(';')[0];
      expect(cookie).toMatch(/^passerelle_login=/);
      // Sealed: neither the state the IdP will echo nor anything else of the sign-in can be read from it.
      const state = new URL(starts[0].headers.get('location') ?? '').searchParams.get('state') ?? '';
      expect(state.length).toBeGreaterThan(20);
      const value = cookie.slice('passerelle_login='.length);
      expect(JSON.parse(Buffer.from(value.split('.')[0], 'base64url').toString('utf8'))).toEqual({
        alg: 'dir',
        enc: 'A256GCM',
      });
      expect(value).not.toContain(state);
      expect(
        value
          .split('.')
          .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
          .join(''),
      ).not.toMatch(/state|nonce|codeVerifier/);
      const forged = cookie.replace(/.{2}$/, (end) => (end === 'xx' ? 'yy' : 'xx'));
      const callback = await fetch(`${gateway.publicUrl}/auth/callback?code=x&state=y`, {
        redirect: 'manual',
        headers: { cookie: forged },
      });
      expect(callback.status).toBe(400);
      expect(await rows()).toBe(before);
    } finally {
      await db.end();
    }
  });

  it('refuses a tampered cookie, a callback without a sign-in, and a citizen on the officer pages', async () => {
    const { client } = await signIn('demo-citizen-2');
    const forged = new WebClient();
    const value = client.cookie('127.0.0.1', 'passerelle_session') ?? '';
    await forged.request(`${gateway.publicUrl}/`); // a jar for the host
    const tampered = await fetch(`${gateway.publicUrl}/consents`, {
      redirect: 'manual',
      headers: { cookie: `passerelle_session=${value.slice(0, -2)}xx` },
    });
    expect(tampered.status).toBe(303);
    expect(tampered.headers.get('location')).toBe('/auth/login?back=%2Fconsents');

    const stray = await new WebClient().request(`${gateway.publicUrl}/auth/callback?code=x&state=y`);
    expect(stray.status).toBe(400);
    const strayPage = await stray.text();
    expect(strayPage).toContain('<html lang="fr" class="govuk-template">');
    expect(strayPage).toMatch(/<code[^>]*>[0-9a-f]{32}<\/code>/);

    const officerPage = await client.request(`${gateway.publicUrl}/officer/audit`);
    expect(officerPage.status).toBe(403);
    expect(await officerPage.text()).not.toContain('{"');
  });

  it('approves a request, revokes with confirmation, and refuses a form without its CSRF token', async () => {
    const created = await call(afe, `${gateway.agencyUrl}/v1/consent-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        citizen: citizenIdOf('afe', 'demo-citizen-3'),
        purpose: 'afe.calcul-aide',
        products: ['revenu.avis-cotisation'],
      }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ citizen: citizenIdOf('afe', 'demo-citizen-3') });
    const { client } = await signIn('demo-citizen-3');
    const requests = await (await client.request(`${gateway.publicUrl}/requests`)).text();
    expect(requests).toContain('Aide financière aux études');
    expect(requests).toContain('Revenu net');
    const id = (created.body as { id: string }).id;

    const forged = await client.request(`${gateway.publicUrl}/requests/${id}/approve`, { form: { _csrf: 'nope' } });
    expect(forged.status).toBe(403);
    const approved = await client.request(`${gateway.publicUrl}/requests/${id}/approve`, {
      form: { _csrf: csrfOf(requests) },
    });
    expect(approved.status).toBe(303);

    const consents = await (await client.request(`${gateway.publicUrl}/consents`)).text();
    const consentId = /\/consents\/([0-9a-f-]{36})\/revoke/.exec(consents)?.[1] ?? '';
    // The receipt reads as a page, and its signed file downloads with the fingerprint the page shows.
    const receiptPage = await (await client.request(`${gateway.publicUrl}/consents/${consentId}/receipt`)).text();
    expect(receiptPage).toContain('Reçu d’autorisation');
    expect(receiptPage).toContain('Aide financière aux études');
    const receipt = await client.request(`${gateway.publicUrl}/consents/${consentId}/receipt.jws`);
    expect(receipt.headers.get('content-type')).toBe('application/jose');
    const jws = await receipt.text();
    expect(jws.split('.')).toHaveLength(3);
    const fingerprint = createHash('sha256').update(jws).digest('hex').match(/.{4}/g)?.join(' ') ?? '';
    expect(receiptPage).toContain(fingerprint);
    const confirm = await (await client.request(`${gateway.publicUrl}/consents/${consentId}/revoke`)).text();
    const revoked = await client.request(`${gateway.publicUrl}/consents/${consentId}/revoke`, {
      form: { _csrf: csrfOf(confirm) },
    });
    expect(revoked.headers.get('location')).toBe('/consents?done=revoked');
    const after = await (await client.request(`${gateway.publicUrl}/consents?done=revoked`)).text();
    expect(after).toContain('Votre autorisation est retirée.');
    expect(after).toContain('Retirée le');
  });

  it('asks on approval whether to keep the organisation up to date, and shows the answer on the consents page', async () => {
    const ask = async (keepUpToDate: boolean): Promise<string> => {
      const created = await call(afe, `${gateway.agencyUrl}/v1/consent-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          citizen: citizenIdOf('afe', 'demo-citizen-5'),
          purpose: 'afe.calcul-aide',
          products: ['revenu.avis-cotisation'],
          keepUpToDate,
        }),
      });
      expect(created.status).toBe(201);
      return (created.body as { id: string }).id;
    };
    const asked = await ask(true);
    const { client } = await signIn('demo-citizen-5');
    const requests = await (await client.request(`${gateway.publicUrl}/requests`)).text();
    const box = new RegExp(`<input[^>]*id="keep-${asked}"[^>]*>`).exec(requests)?.[0] ?? '';
    expect(box).toContain('checked');
    expect(requests).toContain('Aviser cet organisme quand ces renseignements changent');
    // Unticked, the box sends nothing: the marker beside it says the citizen was asked.
    const declined = await client.request(`${gateway.publicUrl}/requests/${asked}/approve`, {
      form: { _csrf: csrfOf(requests), keepUpToDateAsked: 'yes' },
    });
    expect(declined.status).toBe(303);
    const notAsked = await ask(false);
    const ticked = await client.request(`${gateway.publicUrl}/requests/${notAsked}/approve`, {
      form: { _csrf: csrfOf(requests), keepUpToDateAsked: 'yes', keepUpToDate: 'yes' },
    });
    expect(ticked.status).toBe(303);

    const consents = await (await client.request(`${gateway.publicUrl}/consents`)).text();
    const answers = [...consents.matchAll(/Informé de mes changements<\/dt>\s*<dd[^>]*>\s*(Oui|Non)/g)].map(
      (match) => match[1],
    );
    expect(answers.sort()).toEqual(['Non', 'Oui']);
  });

  it('grants a narrowed consent from the portal after a summary, and the agency then gets only those fields', async () => {
    const { client } = await signIn('demo-citizen-2');
    const who = await (await client.request(`${gateway.publicUrl}/consents/new`)).text();
    expect(who).toContain('value="afe:afe.calcul-aide"');
    // A statute purpose asks for no consent: it is not offered.
    expect(who).not.toContain('mess.controle-admissibilite');
    const data = await (
      await client.request(`${gateway.publicUrl}/consents/new/data?who=afe%3Aafe.calcul-aide`)
    ).text();
    expect(data).toMatch(/name="f\.revenu\.avis-cotisation\.netIncome"[^>]*checked/);
    const form = {
      _csrf: csrfOf(data),
      who: 'afe:afe.calcul-aide',
      'p.revenu.avis-cotisation': 'yes',
      'f.revenu.avis-cotisation.taxYear': 'yes',
      'f.revenu.avis-cotisation.netIncome': 'yes',
      mode: 'one-time',
    };
    // Without a duration the form comes back with the problem named, the ticks kept.
    const incomplete = await client.request(`${gateway.publicUrl}/consents/new/review`, {
      form: { ...form, mode: '' },
    });
    expect(incomplete.status).toBe(400);
    const again = await incomplete.text();
    expect(again).toContain('govuk-error-summary');
    expect(again).toContain('Choisissez pour combien de temps.');
    expect(again).not.toMatch(/name="f\.revenu\.avis-cotisation\.totalIncome"[^>]*checked/);
    const review = await client.request(`${gateway.publicUrl}/consents/new/review`, { form });
    expect(review.status).toBe(200);
    const summary = await review.text();
    expect(summary).toContain('Vérifiez votre autorisation');
    expect(summary).toContain('Une seule fois');
    // Nothing is recorded before the confirmation.
    const before = await (await client.request(`${gateway.publicUrl}/consents`)).text();
    expect(before).toContain('Vous n’avez aucune autorisation en vigueur.');
    const hidden = Object.fromEntries(
      [...summary.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const confirmed = await client.request(`${gateway.publicUrl}/consents/new/confirm`, { form: hidden });
    expect(confirmed.status).toBe(303);
    const location = confirmed.headers.get('location') ?? '';
    expect(location).toMatch(/^\/consents\/[0-9a-f-]{36}\/receipt\?done=granted$/);
    const receipt = await (await client.request(`${gateway.publicUrl}${location}`)).text();
    expect(receipt).toContain('Votre autorisation est enregistrée.');

    const exchanged = await call(afe, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        product: 'revenu.avis-cotisation',
        version: 1,
        purpose: 'afe.calcul-aide',
        citizen: citizenIdOf('afe', 'demo-citizen-2'),
      }),
    });
    expect(exchanged.status).toBe(200);
    expect(Object.keys((exchanged.body as { data: object }).data).sort()).toEqual(['netIncome', 'taxYear']);
  });

  it('ends the session on sign-out: the old cookie is worth nothing', async () => {
    const { client, page } = await signIn('demo-citizen-4');
    const cookie = client.cookie('127.0.0.1', 'passerelle_session') ?? '';
    const out = await client.request(`${gateway.publicUrl}/auth/logout`, { form: { _csrf: csrfOf(page) } });
    expect(out.status).toBe(303);
    const replayed = await fetch(`${gateway.publicUrl}/consents`, {
      redirect: 'manual',
      headers: { cookie: `passerelle_session=${cookie}` },
    });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toBe('/auth/login?back=%2Fconsents');
  });

  it('comes back after sign-in to the page asked for while signed out, and never to another site', async () => {
    const asked = await fetch(`${gateway.publicUrl}/history?decision=deny`, { redirect: 'manual' });
    expect(asked.headers.get('location')).toBe('/auth/login?back=%2Fhistory%3Fdecision%3Ddeny');
    const { url } = await signIn('demo-citizen-4', '/auth/login?back=%2Fhistory%3Fdecision%3Ddeny');
    expect(new URL(url).pathname + new URL(url).search).toBe('/history?decision=deny');
    for (const back of ['https://evil.example/', '//evil.example/', '/auth/logout']) {
      const elsewhere = await signIn('demo-citizen-4', `/auth/login?back=${encodeURIComponent(back)}`);
      expect(new URL(elsewhere.url).pathname).toBe('/consents');
    }
  });

  it('lets an officer search, see an event, export CSV and check integrity', async () => {
    const { client, url } = await signIn('demo-officer');
    expect(new URL(url).pathname).toBe('/officer/audit');
    const search = await (await client.request(`${gateway.publicUrl}/officer/audit?decision=allow`)).text();
    expect(search).toContain('<table class="govuk-table passerelle-stack">');
    // Names, not codes: the kind and the organisation in words.
    expect(search).toContain('Résultat d’une demande d’un organisme');
    expect(search).not.toMatch(/>\s*exchange\.outcome\s*</);
    const seq = /href="\/officer\/audit\/(\d+)"/.exec(search)?.[1];
    expect(seq).toBeDefined();
    const event = await client.request(`${gateway.publicUrl}/officer/audit/${seq}`);
    expect(event.status).toBe(200);
    const eventPage = await event.text();
    expect(eventPage).toContain('Ce qui s’est passé');
    // The codes stay, in their own details view.
    expect(eventPage).toMatch(/<details class="govuk-details">[\s\S]*exchange\.outcome/);
    const csv = await client.request(`${gateway.publicUrl}/officer/audit/export.csv?decision=allow`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\n')[0]).toContain('seq,recordedAt,kind');
    // The form's times are wall-clock times.
    const since = await (await client.request(`${gateway.publicUrl}/officer/audit?from=2000-01-01T00:00`)).text();
    expect(since).toContain('<table class="govuk-table passerelle-stack">');
    const later = await (await client.request(`${gateway.publicUrl}/officer/audit?from=2999-01-01T00:00`)).text();
    expect(later).toContain('Aucun événement ne correspond.');
    const integrity = await (await client.request(`${gateway.publicUrl}/officer/integrity`)).text();
    expect(integrity).toContain('Le journal est intact');
  });
});
