import type { Agent } from 'undici';
import type { ConsentView } from '../src/consent/consent';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const NOTICE = { product: 'revenu.avis-cotisation', version: 1, purpose: 'afe.calcul-aide' };
const ADDRESS = { product: 'saaq.adresse', version: 1, purpose: 'mess.aide-sociale' };

describe('The demo world end to end: consent, exchange, access log, officer, revocation', () => {
  let gateway: TestGateway;
  let afe: Agent;
  let mess: Agent;
  let officer: string;

  const exchange = (agent: Agent, body: Record<string, unknown>): Promise<AgencyResponse> =>
    call(agent, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const asCitizen = async (citizen: string, path: string, body?: unknown, method = 'GET'): Promise<Response> =>
    fetch(`${gateway.publicUrl}${path}`, {
      method: body === undefined ? method : 'POST',
      headers: {
        ...bearer(await citizenToken(citizen)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const asOfficer = (path: string): Promise<Response> =>
    fetch(`${gateway.publicUrl}${path}`, { headers: bearer(officer) });

  beforeAll(async () => {
    gateway = await startTestGateway();
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
    officer = await citizenToken('demo-officer', ['privacy-officer']);
  });

  afterAll(async () => {
    await Promise.all([afe.close(), mess.close()]);
    await gateway.stop();
  });

  it('walks the journey: grant, exchange, the citizen sees it, the officer finds it, revoke, refused', async () => {
    const consent = (await (
      await asCitizen('demo-citizen-1', '/v1/me/consents', {
        requester: 'afe',
        purpose: 'afe.calcul-aide',
        products: ['revenu.avis-cotisation'],
      })
    ).json()) as ConsentView;
    const first = await exchange(afe, { ...NOTICE, citizen: citizenIdOf('afe', 'demo-citizen-1') });
    expect(first.status).toBe(200);
    expect(Object.keys((first.body as { data: object }).data).sort()).toEqual(
      ['assessmentDate', 'lines', 'netIncome', 'taxYear', 'totalIncome'].sort(),
    );

    const log = (await (await asCitizen('demo-citizen-1', '/v1/me/access-log')).json()) as {
      entries: Record<string, unknown>[];
    };
    expect(log.entries[0]).toMatchObject({
      organisation: 'afe',
      organisationName: expect.any(String),
      product: 'revenu.avis-cotisation',
      productTitle: { fr: 'Avis de cotisation', en: 'Notice of assessment' },
      purpose: 'afe.calcul-aide',
      purposeTitle: expect.objectContaining({ fr: expect.any(String) }),
      decision: 'allow',
    });
    const others = (await (await asCitizen('demo-citizen-2', '/v1/me/access-log')).json()) as { entries: unknown[] };
    expect(others.entries).toEqual([]);

    const found = (await (
      await asOfficer('/v1/audit/events?citizen=demo-citizen-1&org=afe&decision=allow')
    ).json()) as {
      events: { kind: string; correlationId: string; citizen: string }[];
    };
    const outcome = found.events.find((e) => e.kind === 'exchange.outcome');
    expect(outcome?.correlationId).toBe(first.headers['x-correlation-id']);
    expect(outcome?.citizen).toMatch(/^[0-9a-f]{64}$/);

    await asCitizen('demo-citizen-1', `/v1/me/consents/${consent.id}/revoke`, undefined, 'POST');
    const refused = await exchange(afe, { ...NOTICE, citizen: citizenIdOf('afe', 'demo-citizen-1') });
    expect(refused.status).toBe(403);
    const after = (await (await asCitizen('demo-citizen-1', '/v1/me/access-log')).json()) as {
      entries: { decision: string }[];
    };
    expect(after.entries.map((e) => e.decision).slice(0, 2)).toEqual(['deny', 'allow']);
  });

  it('pages by seq, exports CSV, checks integrity, and audits the officer’s own queries', async () => {
    const page1 = (await (await asOfficer('/v1/audit/events?limit=2')).json()) as {
      events: { seq: number }[];
      nextCursor: string;
    };
    expect(page1.events).toHaveLength(2);
    const page2 = (await (await asOfficer(`/v1/audit/events?limit=2&cursor=${page1.nextCursor}`)).json()) as {
      events: { seq: number }[];
    };
    expect(page2.events[0].seq).toBeGreaterThan(page1.events[1].seq);

    const csv = await asOfficer('/v1/audit/events/export?format=csv&org=afe');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'seq,recordedAt,kind,organisation,citizen,product,purpose,decision,reason,correlationId,basis',
    );
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('\n')).not.toContain('demo-citizen');

    const integrity = (await (await asOfficer('/v1/audit/integrity')).json()) as { ok: boolean; verified: number };
    expect(integrity).toMatchObject({ ok: true });
    expect(integrity.verified).toBeGreaterThan(4);

    const own = (await (await asOfficer('/v1/audit/events?limit=1000')).json()) as {
      events: { kind: string; details?: { route?: string; officer?: string } }[];
    };
    const queries = own.events.filter((e) => e.kind === 'officer.query');
    expect(queries.map((e) => e.details?.route)).toEqual(expect.arrayContaining(['events', 'export', 'integrity']));
    expect(queries[0].details?.officer).toBe('demo-officer');
    expect(JSON.stringify(queries)).not.toContain('demo-citizen-1');
  });

  it('keeps officers’ routes to officers, and refuses a bad filter', async () => {
    expect((await asCitizen('demo-citizen-1', '/v1/audit/events')).status).toBe(403);
    expect((await fetch(`${gateway.publicUrl}/v1/audit/events`)).status).toBe(401);
    const bad = await asOfficer('/v1/audit/events?from=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ pointer: 'query:from' }] });
  });

  it('never answers 200 to an exchange that started after the revocation answered', async () => {
    const consent = (await (
      await asCitizen('demo-citizen-3', '/v1/me/consents', {
        requester: 'mess',
        purpose: 'mess.aide-sociale',
        products: ['saaq.adresse'],
      })
    ).json()) as ConsentView;
    const results: { started: number; status: number }[] = [];
    const fire = async (): Promise<void> => {
      const started = Date.now();
      const { status } = await exchange(mess, { ...ADDRESS, citizen: citizenIdOf('mess', 'demo-citizen-3') });
      results.push({ started, status });
    };
    // Load runs from before the revocation until well after it answered, whatever this machine's speed.
    let revokedAt = 0;
    const load = Array.from({ length: 8 }, async () => {
      while (revokedAt === 0 || Date.now() < revokedAt + 150) await fire();
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const revoked = await asCitizen(
      'demo-citizen-3',
      `/v1/me/consents/${consent.id}/revoke`,
      undefined,
      'POST',
    ).finally(() => {
      revokedAt = Date.now();
    });
    // On failure, the gateway's own error lines say why.
    expect({ status: revoked.status, errors: gateway.logs.filter((l) => l.level >= 50) }).toEqual({
      status: 200,
      errors: [],
    });
    await Promise.all(load);
    expect(results.filter((r) => r.started < revokedAt).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.started > revokedAt && r.status === 200)).toEqual([]);
    expect(results.some((r) => r.status === 403)).toBe(true);
  });
});
