import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Cookie, Page, Response } from 'playwright-core';
import type { Agent } from 'undici';
import { mintDevToken } from '../../src/citizen-auth/dev-idp/dev-token';
import { agencyAgent, call, type AgencyResponse } from '../support/agency-client';
import { citizenIdOf } from '../support/citizen-ids';
import { bearer, devIdpKey, TEST_AUDIENCE } from '../support/citizen-tokens';
import { startPortalGateway, type PortalGateway } from '../support/portal-gateway';
import { ARTIFACTS, launchChromium, runAxe, SCREENSHOTS, signedInCookies } from './browser-kit';
import { horizontalOverflow } from './reflow-probe';

const CITIZEN = 'demo-citizen-2';
const WIDTHS = [320, 390, 1280] as const;
const LANGS = ['fr', 'en'] as const;
type Lang = (typeof LANGS)[number];
type Who = 'nobody' | 'citizen' | 'officer';

/** One page of the sweep: how to reach it, as whom, and the status it answers with. */
interface Stop {
  name: string;
  as: Who;
  /** A path of the portal, or a way to get there (a form to send, a redirect to follow). */
  to: string | ((page: Page) => Promise<Response | null>);
  status?: number;
}

/** What the sweep found on one page, for the report and the artifacts. */
interface Visit {
  page: string;
  width: number;
  lang: Lang;
  problems: string[];
  scrollers: string[];
}

/**
 * Every page of the portal (and the IdP's sign-in page) at a phone's 320 and
 * 390 px and a desktop's 1280 px, in French and in English, with real data:
 * axe finds no WCAG 2.1 AA violation, nothing reaches past the viewport
 * (WCAG 1.4.10, reflow), and a full-page screenshot of each is kept.
 */
describe('The portal reflows from 320 px to 1280 px in both languages, and axe finds nothing', () => {
  let gateway: PortalGateway;
  let afe: Agent;
  let mess: Agent;
  let browser: Browser;
  let sessions: Record<Exclude<Who, 'nobody'>, Cookie[]>;
  let stops: Stop[];
  const visits: Visit[] = [];

  const agency = (agent: Agent, path: string, body: unknown): Promise<AgencyResponse> =>
    call(agent, `${gateway.agencyUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** The citizen's data: a consent in force and used, a refusal, an access by law, and a request waiting. */
  const seed = async (): Promise<{ consent: string; request: string }> => {
    const token = await mintDevToken(await devIdpKey(), {
      issuer: gateway.issuer,
      audience: TEST_AUDIENCE,
      subject: CITIZEN,
    });
    const granted = await fetch(`${gateway.publicUrl}/v1/me/consents`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({
        requester: 'afe',
        purpose: 'afe.calcul-aide',
        products: ['revenu.avis-cotisation'],
        mode: 'ongoing',
        keepUpToDate: true,
      }),
    });
    expect(granted.status).toBe(201);
    const consent = ((await granted.json()) as { id: string }).id;
    const exchange = (product: string, purpose: string, agent: Agent, org: string, extra = {}) =>
      agency(agent, '/v1/exchanges', { product, version: 1, purpose, citizen: citizenIdOf(org, CITIZEN), ...extra });
    expect((await exchange('revenu.avis-cotisation', 'afe.calcul-aide', afe, 'afe')).status).toBe(200);
    expect((await exchange('etat-civil.naissance', 'afe.calcul-aide', afe, 'afe')).status).toBe(403);
    const control = await exchange('revenu.avis-cotisation', 'mess.controle-admissibilite', mess, 'mess', {
      caseRef: 'MESS-2026-000981',
    });
    expect(control.status).toBe(200);
    const asked = await agency(afe, '/v1/consent-requests', {
      citizen: citizenIdOf('afe', CITIZEN),
      purpose: 'afe.calcul-aide',
      products: ['etat-civil.naissance', 'revenu.avis-cotisation'],
      message: 'Pour calculer votre aide financière pour l’année 2026-2027, nous avons besoin de ces renseignements.',
    });
    expect(asked.status).toBe(201);
    return { consent, request: (asked.body as { id: string }).id };
  };

  /** The first event of the officer's search, for its detail page. */
  const firstEventSeq = async (officer: Cookie[]): Promise<string> => {
    const context = await browser.newContext();
    try {
      await context.addCookies(officer);
      const page = await context.newPage();
      const response = await page.goto(`${gateway.publicUrl}/officer/audit?citizen=${CITIZEN}`);
      const hrefs = await page
        .locator('a[href^="/officer/audit/"]')
        .evaluateAll((links) =>
          links.map((link) => (link as unknown as { getAttribute(name: string): string | null }).getAttribute('href')),
        );
      const seq = hrefs.map((href) => /^\/officer\/audit\/(\d+)$/.exec(href ?? '')?.[1]).find(Boolean);
      if (seq === undefined) {
        // An error page and an empty result look alike from here: say which it was.
        const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ').slice(0, 400);
        throw new Error(`no event link on the officer's search (HTTP ${response?.status() ?? 'none'}): ${text}`);
      }
      return seq;
    } finally {
      await context.close();
    }
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gateway = await startPortalGateway();
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
    const { consent, request } = await seed();
    browser = await launchChromium();
    const [citizen, officer] = await Promise.all([
      signedInCookies(browser, gateway.publicUrl, CITIZEN),
      signedInCookies(browser, gateway.publicUrl, 'demo-officer'),
    ]);
    sessions = { citizen, officer };
    const seq = await firstEventSeq(officer);
    const grantData = '/consents/new/data?who=afe%3Aafe.calcul-aide';
    stops = [
      { name: 'home-signed-out', as: 'nobody', to: '/' },
      // The portal sends the browser to the IdP in the portal's language.
      { name: 'idp-sign-in', as: 'nobody', to: '/auth/login' },
      { name: 'home', as: 'citizen', to: '/' },
      { name: 'privacy', as: 'citizen', to: '/privacy' },
      { name: 'accessibility', as: 'citizen', to: '/accessibility' },
      { name: 'support', as: 'citizen', to: '/support' },
      { name: 'contact', as: 'citizen', to: '/contact' },
      { name: 'consents', as: 'citizen', to: '/consents' },
      { name: 'grant-who', as: 'citizen', to: '/consents/new' },
      { name: 'grant-data', as: 'citizen', to: grantData },
      {
        name: 'grant-review',
        as: 'citizen',
        to: async (page) => {
          await page.goto(`${gateway.publicUrl}${grantData}`);
          await page.locator('#mode-ongoing').check();
          const [response] = await Promise.all([
            page.waitForResponse((r) => r.url().endsWith('/consents/new/review') && r.request().method() === 'POST'),
            page.locator('form[action="/consents/new/review"] button[type="submit"]').click(),
          ]);
          await page.waitForLoadState();
          return response;
        },
      },
      { name: 'receipt', as: 'citizen', to: `/consents/${consent}/receipt?done=granted` },
      { name: 'revoke', as: 'citizen', to: `/consents/${consent}/revoke` },
      { name: 'requests', as: 'citizen', to: '/requests' },
      { name: 'request-preview', as: 'citizen', to: `/requests/${request}/preview` },
      { name: 'my-information', as: 'citizen', to: '/my-information' },
      { name: 'my-information-product', as: 'citizen', to: '/my-information/revenu.avis-cotisation' },
      { name: 'history', as: 'citizen', to: '/history' },
      { name: 'error', as: 'citizen', to: '/nope', status: 404 },
      { name: 'officer-audit', as: 'officer', to: `/officer/audit?citizen=${CITIZEN}` },
      { name: 'officer-audit-event', as: 'officer', to: `/officer/audit/${seq}` },
      { name: 'officer-integrity', as: 'officer', to: '/officer/integrity' },
    ];
  });

  afterAll(async () => {
    if (visits.length > 0) writeFileSync(join(ARTIFACTS, 'reflow.json'), JSON.stringify(visits, null, 2));
    await browser?.close();
    await afe?.close();
    await mess?.close();
    await gateway?.stop();
  });

  /** Loads one page and checks it; returns its problems in words, page, width and language first. */
  const check = async (page: Page, stop: Stop, width: number, lang: Lang): Promise<Visit> => {
    const where = `${stop.name} @${width}px/${lang}`;
    const problems: string[] = [];
    const response =
      typeof stop.to === 'string' ? await page.goto(`${gateway.publicUrl}${stop.to}`) : await stop.to(page);
    const status = response?.status();
    if (status !== (stop.status ?? 200)) problems.push(`${where}: answered ${status ?? 'nothing'} at ${page.url()}`);

    const overflow = await horizontalOverflow(page);
    if (overflow.lang !== lang) problems.push(`${where}: <html lang="${overflow.lang}">`);
    if (overflow.styleSheets === 0) problems.push(`${where}: no style sheet loaded`);
    if (overflow.scrollWidth > overflow.innerWidth) {
      problems.push(`${where}: scrollWidth ${overflow.scrollWidth} px > innerWidth ${overflow.innerWidth} px`);
    }
    for (const offender of overflow.offenders) problems.push(`${where}: wider than the viewport: ${offender}`);

    const axe = await runAxe(page);
    if (axe.passes <= 5) problems.push(`${where}: axe passed only ${axe.passes} rules`);
    for (const violation of axe.violations) {
      const targets = violation.nodes.map((node) => node.target.join(' ')).join(' | ');
      problems.push(`${where}: axe ${violation.id} (${violation.impact ?? '?'}): ${violation.help} at ${targets}`);
    }
    await page.screenshot({ path: join(SCREENSHOTS, `${stop.name}-${width}-${lang}.png`), fullPage: true });
    return { page: stop.name, width, lang, problems, scrollers: overflow.scrollers };
  };

  for (const width of WIDTHS) {
    for (const lang of LANGS) {
      it(`${width} px, ${lang === 'fr' ? 'French' : 'English'}: every page`, async () => {
        // One context per width and language: the sessions signed in once, the language chosen with the portal's link.
        const context = await browser.newContext({ viewport: { width, height: 800 } });
        const found: Visit[] = [];
        try {
          const page = await context.newPage();
          const chosen = await page.goto(`${gateway.publicUrl}/lang?to=${lang}&back=/`);
          expect(chosen?.status()).toBe(200);
          let signedInAs: Who = 'nobody';
          for (const stop of stops) {
            if (stop.as !== signedInAs && stop.as !== 'nobody') {
              await context.addCookies(sessions[stop.as]);
              signedInAs = stop.as;
            }
            found.push(await check(page, stop, width, lang));
          }
        } finally {
          visits.push(...found);
          await context.close();
        }
        expect(found).toHaveLength(stops.length);
        expect(found.flatMap((visit) => visit.problems)).toEqual([]);
      }, 240_000);
    }
  }
});
