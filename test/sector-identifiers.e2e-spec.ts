import { Client } from 'pg';
import { AuditLog } from '../src/audit/audit-log';
import type { Agent } from 'undici';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { announceBindingChange } from './support/binding-notice';
import { grantedConsentId, type GrantTerms } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startHttpStub, type HttpStub } from './support/http-stub';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const NOTICE = { product: 'revenu.avis-cotisation', version: 1, purpose: 'afe.calcul-aide' };
const ADDRESS = { product: 'saaq.adresse', version: 1, purpose: 'mess.aide-sociale' };
const PIVOTS = ['demo-citizen-1', 'demo-citizen-2', 'demo-citizen-3', 'demo-citizen-4', 'demo-citizen-5'];

/** Every agency-facing surface names citizens by the caller's sector identifier, and nothing else. */
describe('Sector identifiers: no agency holds an identifier another sector could match', () => {
  let gateway: TestGateway;
  let afe: Agent;
  let mess: Agent;
  let db: Client;
  let receiver: HttpStub;

  const post = (agent: Agent, path: string, body: unknown): Promise<AgencyResponse> =>
    call(agent, `${gateway.agencyUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const grant = (citizen: string, terms: GrantTerms): Promise<string> =>
    grantedConsentId(gateway.publicUrl, citizen, terms);
  const recordsOf = async (response: AgencyResponse) =>
    (
      await db.query<{
        decision: string | null;
        citizen_pseudonym: string | null;
        payload: { reason?: string; details: Record<string, unknown> };
      }>('SELECT decision, citizen_pseudonym, payload FROM audit_event WHERE correlation_id = $1 ORDER BY seq', [
        response.headers['x-correlation-id'],
      ])
    ).rows;
  const pseudonymOf = (pivot: string): string => gateway.gateway.app.get(AuditLog).pseudonymOf(pivot);

  beforeAll(async () => {
    receiver = await startHttpStub((_request, response) => response.writeHead(204).end());
    gateway = await startTestGateway({ env: { NOTIFY_INTERVAL_MS: '50' } });
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    await grant('demo-citizen-1', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
    });
    await grant('demo-citizen-1', { requester: 'mess', purpose: 'mess.aide-sociale', products: ['saaq.adresse'] });
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all([afe?.close(), mess?.close()]);
    await gateway?.stop();
    await receiver?.close();
  });

  it('tells each organisation its sector and how it names citizens', async () => {
    const whoami = await call(afe, `${gateway.agencyUrl}/v1/whoami`);
    expect(whoami.body).toMatchObject({ organisation: 'afe', sector: 'education', identifiers: 'sector' });
    expect((await call(mess, `${gateway.agencyUrl}/v1/whoami`)).body).toMatchObject({ sector: 'solidarity' });
  });

  it('gives one citizen two identifiers in two sectors, each working only for its own sector', async () => {
    const forAfe = citizenIdOf('afe', 'demo-citizen-1');
    const forMess = citizenIdOf('mess', 'demo-citizen-1');
    expect(forAfe).not.toBe(forMess);
    expect((await post(afe, '/v1/exchanges', { ...NOTICE, citizen: forAfe })).status).toBe(200);
    expect((await post(mess, '/v1/exchanges', { ...ADDRESS, citizen: forMess })).status).toBe(200);

    // afe's identifier in mess's hands names nobody: the one 403, and the audit says whose sector it came from.
    const crossed = await post(mess, '/v1/exchanges', { ...ADDRESS, citizen: forAfe });
    expect(crossed.status).toBe(403);
    expect(crossed.body).toMatchObject({ code: 'consent-required' });
    expect(await recordsOf(crossed)).toEqual([
      expect.objectContaining({
        decision: 'deny',
        citizen_pseudonym: pseudonymOf('demo-citizen-1'),
        payload: expect.objectContaining({
          reason: 'other-sector-identifier',
          details: expect.objectContaining({ identifierSector: 'education' }),
        }),
      }),
    ]);
  });

  it('refuses a pivot id like an unknown citizen, and records that it was one', async () => {
    const response = await post(afe, '/v1/exchanges', { ...NOTICE, citizen: 'demo-citizen-1' });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'consent-required' });
    const [record] = await recordsOf(response);
    expect(record).toMatchObject({
      citizen_pseudonym: pseudonymOf('demo-citizen-1'),
      payload: expect.objectContaining({ reason: 'pivot-identifier' }),
    });
  });

  it('answers an identifier of the right shape that nobody issued exactly as an unknown citizen', async () => {
    const forged = 'A'.repeat(40);
    const unknown = await post(afe, '/v1/exchanges', { ...NOTICE, citizen: forged });
    const noConsent = await post(afe, '/v1/exchanges', { ...NOTICE, citizen: citizenIdOf('afe', 'demo-citizen-4') });
    for (const response of [unknown, noConsent]) {
      expect(response.status).toBe(403);
      const { correlationId: _c, ...problem } = response.body as Record<string, unknown>;
      expect(problem).toEqual({
        type: 'urn:passerelle:problem:consent-required',
        title: 'Consent required',
        status: 403,
        code: 'consent-required',
      });
    }
    expect((await recordsOf(unknown))[0]).toMatchObject({
      citizen_pseudonym: null,
      payload: expect.objectContaining({ reason: 'unknown-identifier' }),
    });
    expect((await recordsOf(noConsent))[0].payload.reason).toBe('no-consent');
  });

  it('records which identifier the agency used, beside the pivot’s pseudonym', async () => {
    const response = await post(afe, '/v1/exchanges', { ...NOTICE, citizen: citizenIdOf('afe', 'demo-citizen-1') });
    const records = await recordsOf(response);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.citizen_pseudonym).toBe(pseudonymOf('demo-citizen-1'));
      expect(record.payload.details.citizenIdentifier).toBe(citizenIdOf('afe', 'demo-citizen-1'));
    }
  });

  it('answers consent requests in the caller’s identifiers, and refuses a pivot id there too', async () => {
    const citizen = citizenIdOf('mess', 'demo-citizen-2');
    const created = await post(mess, '/v1/consent-requests', {
      citizen,
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ citizen, status: 'pending' });
    const id = (created.body as { id: string }).id;
    const status = await call(mess, `${gateway.agencyUrl}/v1/consent-requests/${id}`);
    expect(status.body).toMatchObject({ id, citizen });
    // The citizen sees it in their own portal, under their own sign-in.
    const mine = await fetch(`${gateway.publicUrl}/v1/me/consent-requests`, {
      headers: bearer(await citizenToken('demo-citizen-2')),
    });
    expect(JSON.stringify(await mine.json())).toContain(id);

    const byPivot = await post(mess, '/v1/consent-requests', {
      citizen: 'demo-citizen-2',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(byPivot.status).toBe(403);
    expect(byPivot.body).toMatchObject({ code: 'consent-required' });
  });

  it('never shows a pivot id on any agency route: answers, headers, errors and webhooks', async () => {
    const seen: string[] = [];
    const keep = (response: AgencyResponse): AgencyResponse => {
      seen.push(JSON.stringify(response.headers), response.text);
      return response;
    };
    const citizen = citizenIdOf('afe', 'demo-citizen-3');
    keep(
      await call(afe, `${gateway.agencyUrl}/v1/webhook`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url }),
      }),
    );
    keep(await call(afe, `${gateway.agencyUrl}/v1/webhook`));
    keep(await call(afe, `${gateway.agencyUrl}/v1/whoami`));
    keep(await call(afe, `${gateway.agencyUrl}/v1/catalogue`));
    keep(await call(afe, `${gateway.agencyUrl}/v1/catalogue/revenu.avis-cotisation/versions/1`));
    const request = keep(
      await post(afe, '/v1/consent-requests', {
        citizen,
        purpose: 'afe.calcul-aide',
        products: ['revenu.avis-cotisation'],
      }),
    );
    keep(await call(afe, `${gateway.agencyUrl}/v1/consent-requests/${(request.body as { id: string }).id}`));
    keep(await post(afe, '/v1/consent-requests', { citizen, purpose: 'afe.calcul-aide', products: ['nope.nothing'] }));
    keep(await post(afe, '/v1/exchanges', { ...NOTICE, citizen }));
    keep(await post(afe, '/v1/exchanges', { ...NOTICE, citizen, version: 99 }));
    keep(await post(afe, '/v1/exchanges', { ...NOTICE, citizen, extra: true }));
    keep(await post(afe, '/v1/exchanges', { ...NOTICE, citizen: 'demo-citizen-3' }));
    // A consent granted and revoked: its events reach afe's webhook, naming the citizen as afe does.
    const consentId = await grant('demo-citizen-3', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
    });
    keep(await post(afe, '/v1/exchanges', { ...NOTICE, citizen }));
    const revoke = await fetch(`${gateway.publicUrl}/v1/me/consents/${consentId}/revoke`, {
      method: 'POST',
      headers: bearer(await citizenToken('demo-citizen-3')),
    });
    expect(revoke.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (receiver.requests.filter((r) => r.body.includes(consentId)).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const webhooks = receiver.requests.filter((r) => r.body.includes(consentId));
    expect(webhooks.map((r) => (JSON.parse(r.body) as { type: string }).type).sort()).toEqual([
      'consent.granted',
      'consent.revoked',
    ]);
    for (const webhook of webhooks) {
      expect((JSON.parse(webhook.body) as { data: { citizen: string } }).data.citizen).toBe(citizen);
      seen.push(JSON.stringify(webhook.headers), webhook.body);
    }

    expect(seen.length).toBeGreaterThan(20);
    for (const text of seen) for (const pivot of PIVOTS) expect(text).not.toContain(pivot);
  });

  it('lets an organisation that is migrating keep pivot ids, and marks its records', async () => {
    await db.query("UPDATE organisation SET identifiers = 'pivot' WHERE id = 'mess'");
    await announceBindingChange(gateway.gateway.app);
    try {
      const response = await post(mess, '/v1/exchanges', { ...ADDRESS, citizen: 'demo-citizen-1' });
      expect(response.status).toBe(200);
      expect((await recordsOf(response))[0].payload.details).toMatchObject({ identifiers: 'pivot' });
      expect((await call(mess, `${gateway.agencyUrl}/v1/whoami`)).body).toMatchObject({ identifiers: 'pivot' });
      // Its sector's identifier is then what names nobody.
      const sector = await post(mess, '/v1/exchanges', { ...ADDRESS, citizen: citizenIdOf('mess', 'demo-citizen-1') });
      expect(sector.status).toBe(403);
    } finally {
      await db.query("UPDATE organisation SET identifiers = 'sector' WHERE id = 'mess'");
      await announceBindingChange(gateway.gateway.app);
    }
  });
});
