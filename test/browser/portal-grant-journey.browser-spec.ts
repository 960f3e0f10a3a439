import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Agent } from 'undici';
import type { InboxMail } from '../../src/notifications/dev-mail/dev-inbox-page';
import { CONTACT_MESSAGES } from '../../src/portal/messages-contact';
import { FR } from '../../src/portal/messages-fr';
import { MY_DATA_MESSAGES } from '../../src/portal/messages-my-data';
import { fieldBox, productBox } from '../../src/portal/grant-form';
import { agencyAgent, call } from '../support/agency-client';
import { citizenIdOf } from '../support/citizen-ids';
import { type Mailbox, startMailbox } from '../support/mailbox';
import { startPortalGateway, type PortalGateway } from '../support/portal-gateway';
import { eventually } from '../support/test-gateway';
import { launchChromium, signInAs } from './browser-kit';

const CITIZEN = 'demo-citizen-2';
const AFE = 'Aide financière aux études';
const NOTICE = 'revenu.avis-cotisation';
const BIRTH = 'etat-civil.naissance';
/** The field the citizen leaves out of what they allow. */
const LEFT_OUT = 'lines';
/** An address of the citizen's own, which they confirm from the portal. */
const ADDRESS = 'jf.gagnon@courriel.example';
const MY = MY_DATA_MESSAGES.fr;
const CONTACT = CONTACT_MESSAGES.fr;

/** The value cell of a summary-list row, found by its key. */
const summaryValue = (page: Page, key: string): Locator =>
  page
    .locator('.govuk-summary-list__row')
    .filter({ has: page.locator('.govuk-summary-list__key', { hasText: key }) })
    .locator('.govuk-summary-list__value');

/** A link of the portal's menu, by its exact words. */
const menu = (page: Page, name: string): Locator =>
  page.getByRole('navigation', { name: FR.nav.label, exact: true }).getByRole('link', { name, exact: true });

/** The receipt's fingerprint as the page writes it: SHA-256, hex, in groups of four. */
const fingerprintOf = (bytes: Buffer): string =>
  createHash('sha256').update(bytes).digest('hex').match(/.{4}/g)?.join(' ') ?? '';

/**
 * A citizen in real Chromium: signs in at the IdP's branded page, gives a
 * permission step by step and checks its receipt against the signed file,
 * reads their own information and what a pending request would send, and gets
 * e-mail through the development SMTP server.
 */
describe('The portal in real Chromium: a citizen grants, checks the receipt, reads their information, gets e-mail', () => {
  let mailbox: Mailbox;
  let gateway: PortalGateway;
  let afe: Agent;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let consentId: string;

  const askAfe = async (products: string[]): Promise<string> => {
    const created = await call(afe, `${gateway.agencyUrl}/v1/consent-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ citizen: citizenIdOf('afe', CITIZEN), purpose: 'afe.calcul-aide', products }),
    });
    expect(created.status).toBe(201);
    return (created.body as { id: string }).id;
  };
  const waitForMail = async (address: string, matches: (message: InboxMail) => boolean): Promise<InboxMail> => {
    let found: InboxMail | undefined;
    await eventually(
      async () => {
        found = (await mailbox.to(address)).find(matches);
        return found !== undefined;
      },
      `a message to ${address}`,
      15_000,
    );
    return found as InboxMail;
  };
  const label = (product: string, field: string): string =>
    gateway.gateway.catalogue.latest(product)?.fields[field]?.fr ?? field;

  beforeAll(async () => {
    mailbox = await startMailbox();
    gateway = await startPortalGateway({ NOTIFY_INTERVAL_MS: '50', SMTP_URL: mailbox.server.smtpUrl });
    base = gateway.publicUrl;
    afe = agencyAgent(gateway.certsDir, 'afe');
    browser = await launchChromium();
    // A French-speaking citizen: the portal and the IdP follow the browser's language.
    context = await browser.newContext({ acceptDownloads: true, locale: 'fr-CA' });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await afe?.close();
    await gateway?.stop();
    await mailbox?.close();
  });

  it('signs in at the IdP’s page and gives a permission: whom, which data, how long, the summary, the receipt', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: FR.nav.signIn }).first().click();
    await signInAs(page, CITIZEN, base);
    expect(new URL(page.url()).pathname).toBe('/consents');

    // Whom, and why.
    await page.getByRole('link', { name: FR.consents.grant }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(FR.grant.title);
    const who = page.locator('input[name="who"][value="afe:afe.calcul-aide"]');
    await who.check();
    await page.getByRole('button', { name: FR.grant.continue }).click();
    await page.waitForURL(`${base}/consents/new/data?who=afe%3Aafe.calcul-aide`);

    // Which data: not the birth record, and not the lines of the notice; until the end date, kept up to date.
    await page.locator(`input[name="${productBox(BIRTH)}"]`).uncheck();
    const leftOut = page.locator(`input[name="${fieldBox(NOTICE, LEFT_OUT)}"]`);
    await expect(page.locator(`label[for="${fieldBox(NOTICE, LEFT_OUT)}"]`).textContent()).resolves.toContain(
      label(NOTICE, LEFT_OUT),
    );
    await leftOut.uncheck();
    await page.getByLabel(FR.mode.ongoing, { exact: true }).check();
    await page.getByLabel(FR.grant.keepUpToDate, { exact: true }).check();
    await page.getByRole('button', { name: FR.grant.review }).click();

    // The summary: nothing is recorded yet.
    await page.waitForURL(`${base}/consents/new/review`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(FR.grant.reviewTitle);
    await expect(summaryValue(page, FR.receipt.who).textContent()).resolves.toContain(AFE);
    const data = (await summaryValue(page, FR.consents.data).textContent()) ?? '';
    expect(data).toContain(label(NOTICE, 'netIncome'));
    expect(data).not.toContain(label(NOTICE, LEFT_OUT));
    expect(data).not.toContain(label(BIRTH, 'firstNames'));
    await expect(summaryValue(page, FR.consents.use).textContent()).resolves.toContain(FR.mode.ongoing);
    await expect(summaryValue(page, FR.consents.updates).textContent()).resolves.toContain(FR.consents.keptUpToDate);
    await page.getByRole('button', { name: FR.grant.confirm }).click();

    // The receipt page, with the fingerprint of the signed file.
    await page.waitForURL(/\/consents\/[0-9a-f-]{36}\/receipt\?done=granted$/);
    consentId = /\/consents\/([0-9a-f-]{36})\/receipt/.exec(page.url())?.[1] ?? '';
    await expect(page.getByText(FR.consents.granted).count()).resolves.toBe(1);
    await expect(summaryValue(page, FR.receipt.reference).textContent()).resolves.toContain(consentId);
    const shown = ((await summaryValue(page, FR.receipt.fingerprint).locator('code').textContent()) ?? '').trim();
    expect(shown).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);

    // The signed file, as the link downloads it: the same fingerprint, the gateway's signature, the chosen terms.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: FR.receipt.download }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`consent-${consentId}.jws`);
    const file = readFileSync((await download.path()) ?? '');
    expect(fingerprintOf(file)).toBe(shown);
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const { payload } = await compactVerify(file.toString('utf8'), createLocalJWKSet(jwks));
    const claims = JSON.parse(Buffer.from(payload).toString('utf8')) as {
      consentReceiptID: string;
      services: { service: string; purposes: { piiCategory: string[] }[] }[];
      consent: { mode: string; keep_up_to_date?: boolean };
    };
    expect(claims.consentReceiptID).toBe(consentId);
    expect(claims.services.map((s) => s.service)).toEqual([NOTICE]);
    expect(claims.services[0].purposes[0].piiCategory).toEqual([
      'taxYear',
      'assessmentDate',
      'totalIncome',
      'netIncome',
    ]);
    expect(claims.consent).toMatchObject({ mode: 'ongoing', keep_up_to_date: true });
  });

  it('reads the receipt again from the list of permissions', async () => {
    await menu(page, FR.nav.consents).click();
    await page.locator(`a[href="/consents/${consentId}/receipt"]`).click();
    await page.waitForURL(`${base}/consents/${consentId}/receipt`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(FR.receipt.title);
    await expect(summaryValue(page, FR.receipt.status).textContent()).resolves.toContain(FR.status.active);
    await expect(summaryValue(page, FR.receipt.who).textContent()).resolves.toContain(AFE);
    // The notice banner belongs to the moment of granting only.
    await expect(page.getByText(FR.consents.granted).count()).resolves.toBe(0);
  });

  it('shows “my information” and a product’s values as the holder has them', async () => {
    await menu(page, FR.nav.myInformation).click();
    await page.waitForURL(`${base}/my-information`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(MY.title);
    const title = gateway.gateway.catalogue.latest(BIRTH)?.title.fr ?? BIRTH;
    await page.getByRole('link', { name: `${MY.view} : ${title}` }).click();
    await page.waitForURL(`${base}/my-information/${BIRTH}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(title);
    await expect(summaryValue(page, label(BIRTH, 'firstNames')).textContent()).resolves.toContain('Jean-François');
    await expect(summaryValue(page, label(BIRTH, 'lastName')).textContent()).resolves.toContain('Gagnon');
    await expect(summaryValue(page, label(BIRTH, 'birthPlace')).textContent()).resolves.toContain('Montréal');
  });

  it('previews exactly what a pending request would send, before deciding', async () => {
    const request = await askAfe([BIRTH]);
    await menu(page, FR.nav.requests).click();
    await page.waitForURL(`${base}/requests`);
    await page.getByRole('link', { name: `${FR.requests.preview} (${AFE})` }).click();
    await page.waitForURL(`${base}/requests/${request}/preview`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(MY.preview.title(AFE));
    const card = page.locator(`section[aria-labelledby="product-${BIRTH}"]`);
    await expect(card.textContent()).resolves.toContain('Jean-François');
    // Only what the purpose allows: the birthplace is not part of it.
    await expect(card.textContent()).resolves.not.toContain('Montréal');
    await page.getByRole('link', { name: MY.preview.requestsLink }).click();
    await page.waitForURL(`${base}/requests`);
  });

  it('gets e-mail through the development SMTP server: the confirmation link, then news of a request', async () => {
    await menu(page, FR.nav.contact).click();
    await page.waitForURL(`${base}/contact`);
    await page.getByLabel(CONTACT.emailLabel, { exact: true }).fill(ADDRESS);
    await page.getByRole('button', { name: CONTACT.save }).click();
    await page.waitForURL(`${base}/contact?done=sent`);

    // The link arrives by e-mail, and opening it in the signed-in browser confirms the address.
    const confirmation = await waitForMail(ADDRESS, (message) => message.text.includes('/contact/confirm?token='));
    const link = /https?:\/\/\S+\/contact\/confirm\?token=\S+/.exec(confirmation.text)?.[0];
    expect(link?.startsWith(`${base}/contact/confirm?token=`)).toBe(true);
    await page.goto(link ?? '');
    await page.waitForURL(`${base}/contact?done=confirmed`);
    await expect(page.getByText(CONTACT.done.confirmed).count()).resolves.toBe(1);

    // From now on the citizen hears of a new request at that address, with the portal's link to answer it.
    const aboutRequests = (message: InboxMail): boolean => message.text.includes(`${base}/requests`);
    // The request of the step before came while the address was not confirmed: nothing went to it.
    expect((await mailbox.to(ADDRESS)).filter(aboutRequests)).toEqual([]);
    await askAfe([NOTICE]);
    const news = await waitForMail(ADDRESS, aboutRequests);
    expect(news.text).toContain(AFE);
    expect(`${news.subject}\n${news.text}`).not.toContain(CITIZEN);
  });
});
