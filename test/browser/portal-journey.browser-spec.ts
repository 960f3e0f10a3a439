import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Agent } from 'undici';
import { agencyAgent, call, type AgencyResponse } from '../support/agency-client';
import { citizenIdOf } from '../support/citizen-ids';
import { mintDevToken } from '../../src/citizen-auth/dev-idp/dev-token';
import { bearer, devIdpKey, TEST_AUDIENCE } from '../support/citizen-tokens';
import { startPortalGateway, type PortalGateway } from '../support/portal-gateway';
import { messagesFor } from '../../src/portal/messages';
import { launchChromium, PageRecorder, signInAs } from './browser-kit';

const CITIZEN = 'demo-citizen-2';
const NOTICE = {
  product: 'revenu.avis-cotisation',
  version: 1,
  purpose: 'afe.calcul-aide',
  citizen: citizenIdOf('afe', CITIZEN),
};
/** An access a law allows, with the agency's case: no consent needed. */
const CONTROL = {
  product: 'revenu.avis-cotisation',
  version: 1,
  purpose: 'mess.controle-admissibilite',
  citizen: citizenIdOf('mess', CITIZEN),
  caseRef: 'MESS-2026-000981',
};
const MESS_LAW = "Loi sur l'aide aux personnes et aux familles, RLRQ c. A-13.1.1, art. 65";
const AFE = 'Aide financière aux études';
/** The portal's words in French, as the pages show them. */
const M = messagesFor('fr');

describe('The portal in real Chromium: a citizen and a privacy officer, end to end', () => {
  let gateway: PortalGateway;
  let afe: Agent;
  let mess: Agent;
  let browser: Browser;
  let citizen: BrowserContext;
  let officer: BrowserContext;
  let recorder: PageRecorder;

  const exchange = (): Promise<AgencyResponse> =>
    call(afe, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(NOTICE),
    });

  const json = (agent: Agent, method: 'POST' | 'PUT', path: string, body: unknown): Promise<AgencyResponse> =>
    call(agent, `${gateway.agencyUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** The citizen's bearer token from this gateway's own dev IdP. */
  const tokenOfCitizen = async (): Promise<string> =>
    mintDevToken(await devIdpKey(), { issuer: gateway.issuer, audience: TEST_AUDIENCE, subject: CITIZEN });

  /** A consent that keeps retraite-qc up to date, its subscription, and a change of address told to it. */
  const keepRetraiteUpToDate = async (): Promise<void> => {
    const granted = await fetch(`${gateway.publicUrl}/v1/me/consents`, {
      method: 'POST',
      headers: { ...bearer(await tokenOfCitizen()), 'content-type': 'application/json' },
      body: JSON.stringify({
        requester: 'retraite-qc',
        purpose: 'retraite-qc.rente',
        products: ['saaq.adresse'],
        keepUpToDate: true,
      }),
    });
    expect(granted.status).toBe(201);
    const retraite = agencyAgent(gateway.certsDir, 'retraite-qc');
    const saaq = agencyAgent(gateway.certsDir, 'saaq');
    try {
      const subscribed = await json(retraite, 'PUT', '/v1/subscriptions/saaq.adresse', {
        purpose: 'retraite-qc.rente',
      });
      expect(subscribed.status).toBe(201);
      const reported = await json(saaq, 'POST', '/v1/changes', {
        product: 'saaq.adresse',
        citizen: citizenIdOf('saaq', CITIZEN),
        changedAt: new Date().toISOString(),
      });
      expect(reported.status).toBe(202);
    } finally {
      await Promise.all([retraite.close(), saaq.close()]);
    }
    // The fan-out runs after the answer: wait until the citizen's log has the notice.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const log = await fetch(`${gateway.publicUrl}/v1/me/access-log`, {
        headers: bearer(await tokenOfCitizen()),
      });
      const { entries } = (await log.json()) as { entries: { kind?: string }[] };
      if (entries.some((entry) => entry.kind === 'change-notice')) return;
      if (Date.now() > deadline) throw new Error('the change notice never reached the access log');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    gateway = await startPortalGateway();
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
    browser = await launchChromium();
    citizen = await browser.newContext({ acceptDownloads: true, locale: 'fr-CA' });
    officer = await browser.newContext({ acceptDownloads: true, locale: 'fr-CA' });
    recorder = new PageRecorder();
  });

  afterAll(async () => {
    recorder.save();
    await browser?.close();
    await afe?.close();
    await mess?.close();
    await gateway?.stop();
  });

  it('walks the journey: sign in, approve, exchange, revoke, refused, history, officer, CSV, integrity', async () => {
    const page: Page = await citizen.newPage();
    const base = gateway.publicUrl;

    // 1. A demo citizen signs in through the dev IdP.
    await recorder.visit(page, `${base}/`, 'home');
    await page.getByRole('link', { name: M.nav.signIn }).first().click();
    await signInAs(page, CITIZEN, base);
    expect(new URL(page.url()).pathname).toBe('/consents');

    // 2. An agency creates a consent request over mTLS.
    const created = await call(afe, `${gateway.agencyUrl}/v1/consent-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        citizen: citizenIdOf('afe', CITIZEN),
        purpose: 'afe.calcul-aide',
        products: ['revenu.avis-cotisation'],
      }),
    });
    expect(created.status).toBe(201);

    // 3. The citizen approves it and sees it active.
    await recorder.visit(page, `${base}/requests`, 'requests');
    await expect(page.getByText('Revenu net').count()).resolves.toBeGreaterThan(0);
    await page.getByRole('button', { name: `${M.requests.approve} : ${AFE}` }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(M.requests.approved);
    await recorder.visit(page, `${base}/consents`, 'consents');
    const active = page.locator('section.govuk-summary-card').filter({ hasText: AFE });
    await expect(active.count()).resolves.toBe(1);

    // 4. The agency's exchange succeeds.
    expect((await exchange()).status).toBe(200);

    // 5. The citizen revokes the consent, after confirming. The agency's next exchange gets 403.
    await active.getByRole('link', { name: `${M.consents.revoke} (${AFE})` }).click();
    await recorder.visit(page, page.url(), 'revoke-confirm');
    await page.getByRole('button', { name: M.revoke.confirm }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(M.consents.revoked);
    expect((await exchange()).status).toBe(403);

    // 6. The citizen's history shows both attempts, and an access a law allows, with its reference and case.
    const control = await call(mess, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(CONTROL),
    });
    expect(control.status).toBe(200);
    // The citizen keeps retraite-qc up to date with their address; they move, and the SAAQ reports it.
    await keepRetraiteUpToDate();
    await recorder.visit(page, `${base}/history`, 'history');
    const history = (await page.getByRole('table').textContent()) ?? '';
    expect(history).toContain(M.decision.allow);
    expect(history).toContain(M.history.refusedBecause.revoked);
    const statuteRow = page.getByRole('row').filter({ hasText: CONTROL.caseRef });
    await expect(statuteRow.count()).resolves.toBe(1);
    const statuteText = (await statuteRow.textContent()) ?? '';
    expect(statuteText).toContain(M.history.statuteBasis(MESS_LAW));
    expect(statuteText).toContain(M.decision.allow);
    await expect(page.getByText(M.history.basisExplained).count()).resolves.toBe(1);
    const address = gateway.gateway.catalogue.latest('saaq.adresse')?.title.fr ?? 'saaq.adresse';
    expect(history).toContain(M.history.changeNotice('Retraite Québec', address));
    const consentRow = page.getByRole('row').filter({ hasText: AFE }).first();
    await expect(consentRow.textContent()).resolves.toContain(M.history.consentBasis);
    await page.getByLabel(M.history.decision).selectOption('deny');
    await page.getByRole('button', { name: M.history.filter }).click();
    expect(await page.getByRole('table').textContent()).not.toContain(M.decision.allow);

    // 7. A privacy officer signs in, finds both events and exports them as CSV.
    const desk = await officer.newPage();
    await desk.goto(`${base}/auth/login`);
    await signInAs(desk, 'demo-officer', base);
    expect(new URL(desk.url()).pathname).toBe('/officer/audit');
    await desk.getByLabel(M.officer.citizen, { exact: true }).fill(CITIZEN);
    await desk.getByLabel(M.officer.organisation, { exact: true }).selectOption('afe');
    await desk.getByRole('button', { name: M.officer.search }).click();
    await recorder.visit(desk, desk.url(), 'audit-search');
    const found = (await desk.getByRole('table').textContent()) ?? '';
    expect(found).toContain(M.decision.allow);
    expect(found).toContain(M.decision.deny);
    const [download] = await Promise.all([
      desk.waitForEvent('download'),
      desk.getByRole('link', { name: M.officer.exportCsv }).click(),
    ]);
    const csv = readFileSync((await download.path()) ?? '', 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('seq,recordedAt,kind,organisation,citizen,product,purpose,decision,reason,correlationId,basis');
    const outcomes = csv.filter((line) => line.includes('exchange.outcome'));
    expect(outcomes.some((line) => line.includes(',allow,'))).toBe(true);
    expect(outcomes.some((line) => line.includes(',deny,'))).toBe(true);
    expect(csv.join('\n')).not.toContain(CITIZEN);
    expect(csv.join('\n')).not.toContain(citizenIdOf('afe', CITIZEN));
    await desk.getByRole('link', { name: /^\d+$/ }).first().click();
    await recorder.visit(desk, desk.url(), 'audit-event');

    // The officer narrows the search to the accesses a law allows, and sees each one's reference.
    await desk.goto(`${base}/officer/audit`);
    await desk.getByLabel(M.officer.citizen, { exact: true }).fill(CITIZEN);
    await desk.getByLabel(M.officer.basis, { exact: true }).selectOption('statute');
    await desk.getByRole('button', { name: M.officer.search }).click();
    await recorder.visit(desk, desk.url(), 'audit-search-statute');
    const statute = (await desk.getByRole('table').textContent()) ?? '';
    expect(statute).toContain(MESS_LAW);
    expect(statute).not.toContain(M.officer.basisNames.consent);

    // 8. The officer sees integrity OK.
    await recorder.visit(desk, `${base}/officer/integrity`, 'integrity');
    await expect(desk.getByRole('status').textContent()).resolves.toContain(M.officer.integrity.ok);

    // An error is a page with its reference, never raw JSON or a stack.
    await recorder.visit(desk, `${base}/officer/audit/999999999`, 'error');
    const errorPage = (await desk.content()) ?? '';
    expect(errorPage).toMatch(/<code[^>]*>[0-9a-f]{32}<\/code>/);
    expect(errorPage).not.toContain('"status"');
  });

  it('finds no accessibility violation (axe, WCAG 2.1 AA) on any page, in either language', () => {
    const all = recorder.axe;
    expect(all.length).toBeGreaterThanOrEqual(18);
    for (const entry of all) expect(entry.passes).toBeGreaterThan(5);
    expect(all.filter((entry) => entry.violations.length > 0)).toEqual([]);
  });

  it('keeps every page light: no JavaScript, and under 100 KB on the wire with its CSS', () => {
    const weights = recorder.weights;
    expect(weights.length).toBeGreaterThanOrEqual(9);
    for (const weight of weights) {
      expect(weight.jsBytes).toBe(0);
      expect(weight.documentBytes + weight.cssBytes).toBeLessThan(100_000);
    }
  });
});
