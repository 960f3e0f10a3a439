import { createLocalJWKSet, flattenedVerify, type JSONWebKeySet } from 'jose';
import { Client } from 'pg';
import { ownerUrlOf } from './setup/test-env';
import type { Agent } from 'undici';
import type { ConsentView } from '../src/consent/consent';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';
import { checkAgencyAnswers } from './support/openapi-conformance';

const NOTICE = { product: 'revenu.avis-cotisation', version: 1, purpose: 'afe.calcul-aide' };

describe('The brokered exchange: consent, audit, minimisation, signature', () => {
  let gateway: TestGateway;
  let afe: Agent;
  let mess: Agent;
  let db: Client;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  const exchange = (agent: Agent, body: Record<string, unknown>): Promise<AgencyResponse> =>
    call(agent, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const citizenApi = async (citizen: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${gateway.publicUrl}/v1/me/consents${path}`, {
      method: body === undefined && !path.endsWith('/revoke') ? 'GET' : 'POST',
      headers: {
        ...bearer(await citizenToken(citizen)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return response.json();
  };
  const outcomes = async (correlationId: string) =>
    (
      await db.query<{
        kind: string;
        decision: string | null;
        payload: { reason?: string; details?: Record<string, unknown> };
      }>('SELECT kind, decision, payload FROM audit_event WHERE correlation_id = $1 ORDER BY seq', [correlationId])
    ).rows;
  const correlationOf = (response: AgencyResponse): string => response.headers['x-correlation-id'] as string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    // Every agency answer in this file is checked against the API reference.
    await checkAgencyAnswers(gateway.publicUrl);
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    jwks = createLocalJWKSet(
      (await (await fetch(`${gateway.publicUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet,
    );
  });

  afterAll(async () => {
    await db.end();
    await Promise.all([afe.close(), mess.close()]);
    await gateway.stop();
  });

  it('releases only the fields the consent allows, signed over the exact bytes, with intent and outcome audited', async () => {
    const consent = (await citizenApi('demo-citizen-1', '', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: [{ product: 'revenu.avis-cotisation', fields: ['taxYear', 'netIncome'] }],
    })) as ConsentView;
    const response = await exchange(afe, {
      ...NOTICE,
      citizen: citizenIdOf('afe', 'demo-citizen-1'),
      caseRef: 'AFE-2026-001',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      product: 'revenu.avis-cotisation',
      version: 1,
      purpose: 'afe.calcul-aide',
      consentId: consent.id,
      data: { taxYear: 2025, netIncome: 17900.5 },
    });
    expect(Object.keys((response.body as { data: object }).data)).toEqual(['taxYear', 'netIncome']);

    const [header, empty, signature] = (response.headers['x-jws-signature'] as string).split('.');
    expect(empty).toBe('');
    const payload = Buffer.from(response.text).toString('base64url');
    const { protectedHeader } = await flattenedVerify({ protected: header, payload, signature }, jwks);
    expect(protectedHeader).toMatchObject({ alg: 'ES256' });
    expect(typeof protectedHeader?.kid).toBe('string');
    const tampered = Buffer.from(response.text.replace('17900.5', '99999.5')).toString('base64url');
    await expect(flattenedVerify({ protected: header, payload: tampered, signature }, jwks)).rejects.toThrow();

    const records = await outcomes(correlationOf(response));
    expect(records.map((r) => [r.kind, r.decision])).toEqual([
      ['exchange.intent', null],
      ['exchange.outcome', 'allow'],
    ]);
    expect(records[1].payload.details).toMatchObject({ fields: ['taxYear', 'netIncome'], caseRef: 'AFE-2026-001' });
    const listed = (await citizenApi('demo-citizen-1', '')) as { consents: ConsentView[] };
    expect(listed.consents.find((c) => c.id === consent.id)?.useCount).toBe(1);
  });

  it.each([
    [
      'another organisation',
      'mess',
      { ...NOTICE, purpose: 'mess.aide-sociale', citizen: citizenIdOf('mess', 'demo-citizen-1') },
      'other-organisation',
    ],
    ['no consent at all', 'afe', { ...NOTICE, citizen: citizenIdOf('afe', 'demo-citizen-2') }, 'no-consent'],
    [
      'another product',
      'afe',
      {
        product: 'etat-civil.naissance',
        version: 1,
        purpose: 'afe.calcul-aide',
        citizen: citizenIdOf('afe', 'demo-citizen-1'),
      },
      'other-product',
    ],
  ])('refuses %s with the one 403, keeping the reason in the audit', async (_what, org, body, reason) => {
    const response = await exchange(org === 'afe' ? afe : mess, body);
    expect(response.status).toBe(403);
    const { correlationId: _c, ...problem } = response.body as Record<string, unknown>;
    expect(problem).toEqual({
      type: 'urn:passerelle:problem:consent-required',
      title: 'Consent required',
      status: 403,
      code: 'consent-required',
    });
    const records = await outcomes(correlationOf(response));
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'exchange.outcome',
        decision: 'deny',
        payload: expect.objectContaining({ reason }),
      }),
    ]);
  });

  it('refuses another citizen’s consent named in the request', async () => {
    const consent = (await citizenApi('demo-citizen-4', '', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
    })) as ConsentView;
    const response = await exchange(afe, {
      ...NOTICE,
      citizen: citizenIdOf('afe', 'demo-citizen-2'),
      consentId: consent.id,
    });
    expect(response.status).toBe(403);
    expect((await outcomes(correlationOf(response)))[0].payload.reason).toBe('other-citizen');
  });

  it('uses a one-time consent up after one exchange, and counts that one use once', async () => {
    const once = (await citizenApi('demo-citizen-3', '', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['etat-civil.naissance'],
      mode: 'one-time',
    })) as ConsentView;
    const body = {
      product: 'etat-civil.naissance',
      version: 1,
      purpose: 'afe.calcul-aide',
      citizen: citizenIdOf('afe', 'demo-citizen-3'),
    };
    const [first, second] = await Promise.all([exchange(afe, body), exchange(afe, body)]);
    expect([first.status, second.status].sort()).toEqual([200, 403]);
    expect((first.status === 200 ? first : second).body).toMatchObject({ data: { lastName: 'Roy' } });
    expect((await exchange(afe, body)).status).toBe(403);
    const listed = (await citizenApi('demo-citizen-3', '')) as { consents: ConsentView[] };
    // Listed as it stands now: the expired record that succeeded it, with the count of the one it used up.
    const usedUp = listed.consents.find((c) => c.predecessorId === once.id);
    expect(usedUp).toMatchObject({ status: 'expired', useCount: 1 });
  });

  it('refuses the next exchange once the citizen has revoked', async () => {
    const consent = (await citizenApi('demo-citizen-2', '', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    })) as ConsentView;
    const body = {
      product: 'saaq.adresse',
      version: 1,
      purpose: 'mess.aide-sociale',
      citizen: citizenIdOf('mess', 'demo-citizen-2'),
    };
    expect((await exchange(mess, body)).status).toBe(200);
    await citizenApi('demo-citizen-2', `/${consent.id}/revoke`);
    const after = await exchange(mess, body);
    expect(after.status).toBe(403);
    expect((await outcomes(correlationOf(after)))[0].payload.reason).toBe('revoked');
  });

  it('records a source failure as the outcome, and passes the source error on', async () => {
    await citizenApi('demo-citizen-5', '', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
    });
    const response = await exchange(afe, { ...NOTICE, citizen: citizenIdOf('afe', 'demo-citizen-5') });
    expect(response.status).toBe(404);
    expect((response.body as { code: string }).code).toBe('source-record-not-found');
    const records = await outcomes(correlationOf(response));
    expect(records.map((r) => [r.kind, r.decision, r.payload.reason])).toEqual([
      ['exchange.intent', null, undefined],
      ['exchange.outcome', 'error', 'source-record-not-found'],
    ]);
  });

  it('answers 503 audit-unavailable and releases nothing when the audit log cannot be written', async () => {
    // Only the owner may take the application's right to append away.
    const owner = new Client({ connectionString: ownerUrlOf(gateway.databaseUrl) });
    await owner.connect();
    await owner.query('REVOKE INSERT ON audit_event FROM passerelle_application');
    try {
      const response = await exchange(afe, { ...NOTICE, citizen: citizenIdOf('afe', 'demo-citizen-1') });
      expect(response.status).toBe(503);
      expect((response.body as { code: string }).code).toBe('audit-unavailable');
      expect(response.text).not.toContain('17900');
      expect(response.headers['x-jws-signature']).toBeUndefined();
    } finally {
      await owner.query('GRANT INSERT ON audit_event TO passerelle_application');
      await owner.end();
    }
    expect((await exchange(afe, { ...NOTICE, citizen: citizenIdOf('afe', 'demo-citizen-1') })).status).toBe(200);
  });
});
