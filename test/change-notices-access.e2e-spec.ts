import { randomUUID } from 'node:crypto';
import type { Agent } from 'undici';
import type { AccessEntry } from '../src/audit/audit-office.service';
import { AuditLog } from '../src/audit/audit-log';
import { escapeHtml } from '../src/portal/html';
import { agencyAgent, call } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { mintDevToken } from '../src/citizen-auth/dev-idp/dev-token';
import { bearer, devIdpKey, TEST_AUDIENCE } from './support/citizen-tokens';
import { startPortalGateway, type PortalGateway } from './support/portal-gateway';
import { WebClient } from './support/web-client';

const CITIZEN = 'demo-citizen-1';
const OTHER = 'demo-citizen-2';
const PRODUCT = 'revenu.avis-cotisation';
const AFE_PURPOSE = 'afe.calcul-aide';
const MESS_PURPOSE = 'mess.controle-admissibilite';

describe('Change notices in the citizen’s access log and portal history', () => {
  let gateway: PortalGateway;
  let afe: Agent;
  const changeId = randomUUID();
  const changedAt = '2026-03-01T12:00:00.000Z';

  /** A notice as the fan-out records it: the agency told, the citizen by pivot (stored as a pseudonym). */
  const notify = (organisation: string, purpose: string): Promise<number> =>
    gateway.gateway.app.get(AuditLog).append({
      kind: 'change.notified',
      organisation,
      citizen: CITIZEN,
      product: PRODUCT,
      purpose,
      decision: 'allow',
      details: { changeId, changedAt, reportedBy: 'rq' },
    });
  /** The citizen API, with a token of this gateway's own IdP. */
  const me = async (who: string, path: string, body?: unknown): Promise<Response> => {
    const token = await mintDevToken(await devIdpKey(), {
      issuer: gateway.issuer,
      audience: TEST_AUDIENCE,
      subject: who,
    });
    return fetch(`${gateway.publicUrl}/v1/me/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  const accessLog = async (who: string): Promise<AccessEntry[]> => {
    const response = await me(who, 'access-log');
    expect(response.status).toBe(200);
    return ((await response.json()) as { entries: AccessEntry[] }).entries;
  };
  const historyOf = async (who: string, lang: 'fr' | 'en' = 'fr'): Promise<string> => {
    const client = new WebClient();
    await client.follow(`${gateway.publicUrl}/auth/login`, who);
    if (lang === 'en') await client.request(`${gateway.publicUrl}/lang?to=en&back=/history`);
    const response = await client.request(`${gateway.publicUrl}/history`);
    expect(response.status).toBe(200);
    return response.text();
  };
  const titleOf = (lang: 'fr' | 'en'): string => gateway.gateway.catalogue.latest(PRODUCT)?.title[lang] ?? PRODUCT;

  beforeAll(async () => {
    gateway = await startPortalGateway();
    afe = agencyAgent(gateway.certsDir, 'afe');
    const granted = await me(CITIZEN, 'consents', {
      requester: 'afe',
      purpose: AFE_PURPOSE,
      products: [PRODUCT],
      keepUpToDate: true,
    });
    expect(granted.status).toBe(201);
    // One change told to two agencies (and one that told nobody, which is not an access), then the fetch that
    // followed. Appended together, in one batch, in this order.
    await Promise.all([
      notify('afe', AFE_PURPOSE),
      notify('mess', MESS_PURPOSE),
      gateway.gateway.app.get(AuditLog).append({
        kind: 'change.reported',
        organisation: 'saaq',
        citizen: CITIZEN,
        product: 'saaq.adresse',
        decision: 'allow',
        details: { changeId: randomUUID(), changedAt, notified: 0 },
      }),
    ]);
    const fetched = await call(afe, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        product: PRODUCT,
        version: 1,
        purpose: AFE_PURPOSE,
        citizen: citizenIdOf('afe', CITIZEN),
      }),
    });
    expect(fetched.status).toBe(200);
  });

  afterAll(async () => {
    await afe?.close();
    await gateway?.stop();
  });

  it('lists which agencies were told of the change, and the fetch that followed, newest first', async () => {
    const entries = await accessLog(CITIZEN);
    expect(entries.map((e) => [e.kind, e.organisation])).toEqual([
      ['exchange', 'afe'],
      ['change-notice', 'mess'],
      ['change-notice', 'afe'],
    ]);
    const [fetch, toMess, toAfe] = entries;
    expect(fetch).toMatchObject({ product: PRODUCT, purpose: AFE_PURPOSE, decision: 'allow', changeId: null });
    for (const [notice, purpose] of [
      [toAfe, AFE_PURPOSE],
      [toMess, MESS_PURPOSE],
    ] as const) {
      expect(notice).toMatchObject({
        kind: 'change-notice',
        product: PRODUCT,
        purpose,
        decision: 'allow',
        changeId,
        basis: null,
        caseRef: null,
        organisationName: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(notice.when))).toBe(false);
    }
    expect(toMess.seq).toBeGreaterThan(toAfe.seq);
  });

  it('shows none of it to another citizen', async () => {
    const entries = await accessLog(OTHER);
    expect(entries.filter((e) => e.kind === 'change-notice')).toEqual([]);
    expect(JSON.stringify(entries)).not.toContain(changeId);
  });

  it('tells the citizen in plain words, in French and in English, in the portal’s history', async () => {
    const [, toMess, toAfe] = await accessLog(CITIZEN);
    const french = await historyOf(CITIZEN);
    for (const notice of [toAfe, toMess]) {
      expect(french).toContain(
        escapeHtml(`${notice.organisationName} a été avisé d’un changement de « ${titleOf('fr')} »`),
      );
    }
    expect(french.match(/a été avisé d’un changement de «/g)).toHaveLength(2);
    const english = await historyOf(CITIZEN, 'en');
    expect(english).toContain('<html lang="en" class="govuk-template">');
    expect(english).toContain(escapeHtml(`${toAfe.organisationName} was told of a change to “${titleOf('en')}”`));
  });

  it('shows no change notice in another citizen’s history', async () => {
    const page = await historyOf(OTHER);
    expect(page).not.toContain('<tr class="change-notice">');
    expect(page).not.toContain(`a été informé d’un changement de ${titleOf('fr')}`);
  });
});
