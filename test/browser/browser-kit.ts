import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Cookie, type Page, type Response } from 'playwright-core';

export const ARTIFACTS = join(__dirname, '..', 'artifacts');

/** Debian's Chromium, as .ci/run installs it; CHROMIUM_PATH names another. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`no Chromium at ${path}: install Debian's "chromium" package (apt-get install chromium)`);
  }
  return path;
}

/** Chromium with the flags a closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export interface AxeResult {
  violations: AxeViolation[];
  /** How many rules passed: proof that the check ran at all. */
  passes: number;
}

/** axe-core's WCAG 2.1 A and AA rules on the page as it stands. */
export async function runAxe(page: Page): Promise<AxeResult> {
  // Evaluated through the DevTools protocol: the portal's CSP forbids every script, as it should.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Run = (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[]; passes: unknown[] }>;
    const scope = globalThis as unknown as { axe: { run: Run }; document: unknown };
    const result = await scope.axe.run(scope.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return {
      passes: result.passes.length,
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target })),
      })),
    };
  });
}

/** Bytes a page load brought, by kind: the document, CSS and JavaScript. */
export interface PageWeight {
  page: string;
  documentBytes: number;
  cssBytes: number;
  jsBytes: number;
}

export class PageRecorder {
  readonly weights: PageWeight[] = [];
  readonly axe: ({ page: string; lang: string } & AxeResult)[] = [];

  constructor() {
    mkdirSync(ARTIFACTS, { recursive: true });
  }

  /** Loads `url` in each language: screenshot, page weight, axe check. Leaves the page in French. */
  async visit(page: Page, url: string, name: string): Promise<void> {
    for (const lang of ['en', 'fr'] as const) {
      await page.context().addCookies([{ name: 'passerelle_lang', value: lang, url }]);
      let css = 0;
      let js = 0;
      const counting = async (response: Response): Promise<void> => {
        const type = response.headers()['content-type'] ?? '';
        // Bytes on the wire: the compressed length when the server compressed it.
        const sent = Number(response.headers()['content-length']);
        const size = Number.isInteger(sent) ? sent : (await response.body().catch(() => Buffer.alloc(0))).length;
        if (type.startsWith('text/css')) css += size;
        if (type.includes('javascript')) js += size;
      };
      page.on('response', (response) => void counting(response));
      const response = await page.goto(url);
      const documentBytes = (await response?.body())?.length ?? 0;
      await page.waitForLoadState('networkidle');
      page.removeAllListeners('response');
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${lang}.png`), fullPage: true });
      if (lang === 'fr') this.weights.push({ page: name, documentBytes, cssBytes: css, jsBytes: js });
      this.axe.push({ page: name, lang, ...(await runAxe(page)) });
    }
  }

  save(): void {
    writeFileSync(join(ARTIFACTS, 'page-weights.json'), JSON.stringify(this.weights, null, 2));
    writeFileSync(join(ARTIFACTS, 'axe.json'), JSON.stringify(this.axe, null, 2));
  }
}

/** Signs in at the development IdP's sign-in page, as a person would, and waits to be back on `portal`. */
export async function signInAs(page: Page, login: string, portal: string): Promise<void> {
  await page.locator(`input[name="account"][value="${login}"]`).check();
  await Promise.all([
    page.waitForURL((url) => url.href.startsWith(portal)),
    page.getByRole('button', { name: /^(Se connecter|Sign in)$/ }).click(),
  ]);
}

/** Full-page screenshots of the reflow sweep, `<page>-<width>-<lang>.png`. */
export const SCREENSHOTS = join(ARTIFACTS, 'screenshots');

/**
 * The portal's cookies after `login` signed in at the IdP's page in a context
 * of its own: other contexts take them to reuse the session. The language
 * cookie is left out, each context chooses its own.
 */
export async function signedInCookies(browser: Browser, portal: string, login: string): Promise<Cookie[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${portal}/auth/login`);
    await signInAs(page, login, portal);
    return (await context.cookies(portal)).filter((cookie) => cookie.name !== 'passerelle_lang');
  } finally {
    await context.close();
  }
}
