import { Client } from 'pg';
import type { Agent } from 'undici';
import type { AccessEntry, AuditEvent } from '../src/audit/audit-office.service';
import { startDemoSources, type DemoSources } from '../src/adapters/simulators/simulators';
import { mintDevToken } from '../src/citizen-auth/dev-idp/dev-token';
import { PRIVACY_OFFICER_ROLE } from '../src/citizen-auth/roles';
import { ownerUrlOf, testEnv } from './setup/test-env';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, devIdpKey, TEST_AUDIENCE } from './support/citizen-tokens';
import { startPortalGateway, type PortalGateway } from './support/portal-gateway';
import { eventually } from './support/test-gateway';
import { WebClient } from './support/web-client';

const NOTICE = 'revenu.avis-cotisation';
const ADDRESS = 'saaq.adresse';
const BIRTH = 'etat-civil.naissance';

interface AuditRow {
  kind: string;
  organisation: string | null;
  product: string | null;
  purpose: string | null;
  decision: string | null;
  payload: { citizen?: string; reason?: string; details?: { fields?: string[]; requestId?: string; source?: string } };
}

/** Text as the portal writes it into a page. */
const escaped = (text: string): string => text.replace(/&/g, '&amp;').replace(/'/g, '&#39;');
/** The labels of the summary lists in a piece of a page. */
const keysIn = (page: string): string[] =>
  [...page.matchAll(/<dt class="govuk-summary-list__key">\s*([^<]*?)\s*<\/dt>/g)].map((match) => match[1]);
/** The card of one product on the preview page. */
const cardOf = (page: string, product: string): string =>
  page.split(`aria-labelledby="product-${product}"`)[1]?.split('</section>')[0] ?? '';

/**
 * "My information" on a real gateway, with simulators of its own: a citizen
 * reads their data from the holders' sources, audited, and sees exactly what
 * a pending request would send before deciding.
 */
describe('My information: the citizen’s own data, and what a request would send', () => {
  let sources: DemoSources;
  let gateway: PortalGateway;
  let db: Client;
  let afe: Agent;

  const signIn = async (login: string): Promise<WebClient> => {
    const client = new WebClient();
    const { response } = await client.follow(`${gateway.publicUrl}/auth/login`, login);
    expect(response.status).toBe(200);
    return client;
  };
  const open = async (client: WebClient, path: string): Promise<{ status: number; page: string; id: string }> => {
    const response = await client.request(`${gateway.publicUrl}${path}`);
    return { status: response.status, page: await response.text(), id: response.headers.get('x-correlation-id') ?? '' };
  };
  const token = async (subject: string, roles: string[] = []): Promise<string> =>
    mintDevToken(await devIdpKey(), { issuer: gateway.issuer, audience: TEST_AUDIENCE, subject, roles });
  const api = async (subject: string, path: string, roles: string[] = [], method = 'GET'): Promise<Response> =>
    fetch(`${gateway.publicUrl}${path}`, { method, headers: bearer(await token(subject, roles)) });
  const asOfficer = (path: string): Promise<Response> => api('demo-officer', path, [PRIVACY_OFFICER_ROLE]);
  const recordsOf = async (correlationId: string): Promise<AuditRow[]> =>
    (
      await db.query<AuditRow>(
        'SELECT kind, organisation, product, purpose, decision, payload FROM audit_event WHERE correlation_id = $1 ORDER BY seq',
        [correlationId],
      )
    ).rows;
  const exchange = (body: Record<string, unknown>): Promise<AgencyResponse> =>
    call(afe, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const askAfe = async (citizen: string, products: unknown[]): Promise<string> => {
    const created = await call(afe, `${gateway.agencyUrl}/v1/consent-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ citizen: citizenIdOf('afe', citizen), purpose: 'afe.calcul-aide', products }),
    });
    expect(created.status).toBe(201);
    return (created.body as { id: string }).id;
  };
  const labelsOf = (product: string): Record<string, string> => {
    const contract = gateway.gateway.catalogue.latest(product);
    if (contract === undefined) throw new Error(`${product} is not catalogued`);
    return Object.fromEntries(Object.entries(contract.fields).map(([name, label]) => [escaped(label.fr), name]));
  };

  beforeAll(async () => {
    sources = await startDemoSources({
      databaseAdminUrl: testEnv('adminUrl'),
      ramqDatabase: `${testEnv('databasePrefix')}ramq`,
    });
    gateway = await startPortalGateway({
      SOURCE_ENDPOINTS: Object.entries(sources.endpoints)
        .map(([name, url]) => `${name}=${url}`)
        .join(','),
      SOURCE_DEADLINE_MS: '1000',
      SOURCE_BREAKER_HALF_OPEN_MS: '300',
    });
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    afe = agencyAgent(gateway.certsDir, 'afe');
  });

  afterAll(async () => {
    await afe.close();
    await db.end();
    await gateway.stop();
    await sources.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    for (const simulator of Object.values(sources.simulators)) simulator.faults.reset();
  });

  it('lists every catalogued product with its holder, each linked to its page', async () => {
    const client = await signIn('demo-citizen-1');
    const { status, page } = await open(client, '/my-information');
    expect(status).toBe(200);
    for (const product of [NOTICE, ADDRESS, BIRTH, 'ramq.admissibilite']) {
      expect(page).toContain(`href="/my-information/${product}"`);
    }
    expect(page).toContain('Avis de cotisation');
    expect(page).toContain('Détenu par Revenu Québec');
    expect(page).not.toContain('<script');
  });

  it('shows the notice of assessment and the address from the sources, audited as the citizen’s own views', async () => {
    const client = await signIn('demo-citizen-1');
    const notice = await open(client, `/my-information/${NOTICE}`);
    expect(notice.status).toBe(200);
    expect(notice.page).toContain('Avis de cotisation');
    // Every field of the contract, labelled in French, values as the RQ simulator holds them.
    expect(keysIn(notice.page).sort()).toEqual(Object.keys(labelsOf(NOTICE)).sort());
    expect(notice.page).toMatch(/<dd[^>]*>\s*2025\s*<\/dd>/);
    expect(notice.page).toContain('18 avril 2026');
    expect(notice.page).toMatch(/17\s900,50/);
    expect(notice.page).toMatch(/-423,17/);

    const address = await open(client, `/my-information/${ADDRESS}`);
    expect(address.status).toBe(200);
    expect(address.page).toContain('avenue des Érables');
    expect(address.page).toContain('G1R 2N7');

    // Intent before the source was called, then the outcome, naming the holder; the citizen is a pseudonym.
    const records = await recordsOf(notice.id);
    expect(records.map((r) => [r.kind, r.organisation, r.product, r.decision])).toEqual([
      ['citizen.view.intent', 'rq', NOTICE, null],
      ['citizen.view', 'rq', NOTICE, 'allow'],
    ]);
    expect(records[1].payload.details?.fields).toEqual(expect.arrayContaining(['taxYear', 'netIncome', 'balance']));
    expect(JSON.stringify(records)).not.toContain('demo-citizen-1');

    const log = (await (await api('demo-citizen-1', '/v1/me/access-log')).json()) as { entries: AccessEntry[] };
    expect(log.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'own-view',
          organisation: 'rq',
          product: NOTICE,
          purpose: null,
          decision: 'allow',
        }),
        expect.objectContaining({ kind: 'own-view', organisation: 'saaq', product: ADDRESS, decision: 'allow' }),
      ]),
    );
    const history = await open(client, '/history');
    expect(history.status).toBe(200);
    expect(history.page).toContain('Avis de cotisation');

    // The officer finds the views, exports them, and the chain holds.
    const events = (await (await asOfficer(`/v1/audit/events?org=rq&product=${NOTICE}`)).json()) as {
      events: AuditEvent[];
    };
    expect(events.events.filter((e) => e.correlationId === notice.id).map((e) => e.kind)).toEqual([
      'citizen.view.intent',
      'citizen.view',
    ]);
    const csv = await (await asOfficer('/v1/audit/events/export?format=csv&org=rq')).text();
    expect(csv).toContain(`citizen.view,rq,`);
    const jsonl = await asOfficer('/v1/audit/events/export?format=jsonl');
    expect(jsonl.status).toBe(200);
    const exported = (await jsonl.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { canonical?: string })
      .flatMap((line) => (line.canonical === undefined ? [] : [(JSON.parse(line.canonical) as AuditRow).kind]));
    expect(exported).toEqual(expect.arrayContaining(['citizen.view.intent', 'citizen.view']));
    const integrity = (await (await asOfficer('/v1/audit/integrity')).json()) as { ok: boolean };
    expect(integrity).toMatchObject({ ok: true });
  });

  it('says so when the holder has no record of the citizen, and audits it as such', async () => {
    const client = await signIn('demo-citizen-5');
    const { status, page, id } = await open(client, `/my-information/${NOTICE}`);
    expect(status).toBe(200);
    expect(page).toContain('Revenu Québec n’a aucun dossier à votre nom.');
    expect(keysIn(page)).toEqual([]);
    const records = await recordsOf(id);
    expect(records.map((r) => [r.kind, r.decision, r.payload.reason])).toEqual([
      ['citizen.view.intent', null, undefined],
      ['citizen.view', 'error', 'source-record-not-found'],
    ]);
  });

  it('answers not found for an unknown product, another citizen’s request, or a decided one, and audits none', async () => {
    const requestId = await askAfe('demo-citizen-3', [NOTICE]);
    const other = await signIn('demo-citizen-2');
    const answers = await Promise.all(
      [
        `/requests/${requestId}/preview`,
        '/requests/6f1c1a52-0b7e-4a43-9d43-2f1f7c1b8e10/preview',
        '/requests/not-an-id/preview',
        '/my-information/no.such-product',
        '/my-information/Not%20a%20name',
      ].map((path) => open(other, path)),
    );
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404]);
    expect(answers[0].page).toContain('<html lang="fr"');
    for (const answer of answers) expect(await recordsOf(answer.id)).toEqual([]);

    const owner = await signIn('demo-citizen-3');
    expect((await open(owner, `/requests/${requestId}/preview`)).status).toBe(200);
    const rejected = await api('demo-citizen-3', `/v1/me/consent-requests/${requestId}/reject`, [], 'POST');
    expect(rejected.status).toBe(200);
    const decided = await open(owner, `/requests/${requestId}/preview`);
    expect(decided.status).toBe(404);
    expect(await recordsOf(decided.id)).toEqual([]);
  });

  it('previews exactly the fields the agency then receives once the citizen approves', async () => {
    const citizen = 'demo-citizen-4';
    const requestId = await askAfe(citizen, [{ product: NOTICE, fields: ['taxYear', 'netIncome', 'lines'] }, BIRTH]);
    const client = await signIn(citizen);
    const preview = await open(client, `/requests/${requestId}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.page).toContain('Ce que recevrait Aide financière aux études');
    expect(preview.page).toContain('href="/requests"');
    expect(preview.page).not.toContain(`action="/requests/${requestId}/approve"`);
    const shown = (product: string): string[] => {
      const labels = labelsOf(product);
      return keysIn(cardOf(preview.page, product)).map((label) => labels[label] ?? `unknown label ${label}`);
    };
    const previewed: Record<string, string[]> = { [NOTICE]: shown(NOTICE), [BIRTH]: shown(BIRTH) };
    expect(previewed[NOTICE].sort()).toEqual(['lines', 'netIncome', 'taxYear']);

    const approved = await api(citizen, `/v1/me/consent-requests/${requestId}/approve`, [], 'POST');
    expect(approved.status).toBe(200);
    for (const product of [NOTICE, BIRTH]) {
      const released = await exchange({
        product,
        version: 1,
        purpose: 'afe.calcul-aide',
        citizen: citizenIdOf('afe', citizen),
      });
      expect(released.status).toBe(200);
      const data = (released.body as { data: Record<string, unknown> }).data;
      expect(previewed[product].sort()).toEqual(Object.keys(data).sort());
      for (const value of Object.values(data)) {
        if (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
          expect(cardOf(preview.page, product)).toContain(escaped(value));
        }
      }
      // The preview's record names the same fields as the exchange's.
      const outcome = (await recordsOf(released.headers['x-correlation-id'] as string)).find(
        (r) => r.kind === 'exchange.outcome' && r.decision === 'allow',
      );
      const previewRecord = (await recordsOf(preview.id)).find(
        (r) => r.kind === 'citizen.preview' && r.product === product,
      );
      expect(previewRecord?.payload.details?.fields?.sort()).toEqual(outcome?.payload.details?.fields?.sort());
    }

    const records = await recordsOf(preview.id);
    expect(records.map((r) => [r.kind, r.organisation, r.purpose, r.decision]).sort()).toEqual(
      [
        ['citizen.preview.intent', 'afe', 'afe.calcul-aide', null],
        ['citizen.preview.intent', 'afe', 'afe.calcul-aide', null],
        ['citizen.preview', 'afe', 'afe.calcul-aide', 'allow'],
        ['citizen.preview', 'afe', 'afe.calcul-aide', 'allow'],
      ].sort(),
    );
    expect(records.every((r) => r.payload.details?.requestId === requestId)).toBe(true);
    const log = (await (await api(citizen, '/v1/me/access-log')).json()) as { entries: AccessEntry[] };
    expect(log.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'own-preview',
          organisation: 'afe',
          product: BIRTH,
          purpose: 'afe.calcul-aide',
        }),
      ]),
    );
  });

  it('shows a source that is down as temporarily unavailable, audited as an error, and recovers', async () => {
    sources.simulators['saaq-rest'].faults.set({ resetRate: 1 });
    const client = await signIn('demo-citizen-1');
    const down = await open(client, `/my-information/${ADDRESS}`);
    expect(down.status).toBe(200);
    expect(down.page).toContain('Temporairement indisponible');
    expect(down.page).toContain('ne répond pas pour le moment');
    expect(down.page).not.toContain('G1R 2N7');
    const records = await recordsOf(down.id);
    expect(records.map((r) => [r.kind, r.decision, r.payload.reason])).toEqual([
      ['citizen.view.intent', null, undefined],
      ['citizen.view', 'error', 'source-unavailable'],
    ]);

    sources.simulators['saaq-rest'].faults.reset();
    await eventually(
      async () => (await open(client, `/my-information/${ADDRESS}`)).page.includes('G1R 2N7'),
      'the SAAQ source to answer again',
      10_000,
    );
  });

  it('shows nothing, and calls no source, when the audit log cannot be written', async () => {
    const requestId = await askAfe('demo-citizen-2', [NOTICE]);
    const client = await signIn('demo-citizen-2');
    const calls = jest.spyOn(sources.simulators['rq-records'].faults, 'next');
    // Only the owner may take the application's right to append away.
    const owner = new Client({ connectionString: ownerUrlOf(gateway.databaseUrl) });
    await owner.connect();
    await owner.query('REVOKE INSERT ON audit_event FROM passerelle_application');
    try {
      for (const path of [`/my-information/${NOTICE}`, `/requests/${requestId}/preview`]) {
        const refused = await open(client, path);
        expect(refused.status).toBe(503);
        expect(refused.page).not.toContain('Revenu net');
        expect(keysIn(refused.page)).toEqual([]);
      }
      expect(calls).not.toHaveBeenCalled();
    } finally {
      await owner.query('GRANT INSERT ON audit_event TO passerelle_application');
      await owner.end();
    }
    expect((await open(client, `/my-information/${NOTICE}`)).status).toBe(200);
  });
});
