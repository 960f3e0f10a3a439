import { createLocalJWKSet, flattenedVerify, type JSONWebKeySet } from 'jose';
import { Client } from 'pg';
import type { Agent } from 'undici';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const CONTROL = {
  product: 'revenu.avis-cotisation',
  version: 1,
  purpose: 'mess.controle-admissibilite',
  citizen: citizenIdOf('mess', 'demo-citizen-3'),
};
const INQUIRY = {
  product: 'saaq.adresse',
  version: 1,
  purpose: 'retraite-qc.enquete',
  citizen: citizenIdOf('retraite-qc', 'demo-citizen-4'),
};

interface AuditRow {
  kind: string;
  decision: string | null;
  payload: { reason?: string; details?: Record<string, unknown> };
}

describe('Lawful bases: exchanges authorised by a statute, beside consent', () => {
  let gateway: TestGateway;
  let mess: Agent;
  let retraite: Agent;
  let afe: Agent;
  let db: Client;

  const exchange = (agent: Agent, body: Record<string, unknown>, on = gateway): Promise<AgencyResponse> =>
    call(agent, `${on.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const recordsOf = async (response: AgencyResponse, client = db): Promise<AuditRow[]> =>
    (
      await client.query<AuditRow>(
        'SELECT kind, decision, payload FROM audit_event WHERE correlation_id = $1 ORDER BY seq',
        [response.headers['x-correlation-id']],
      )
    ).rows;

  beforeAll(async () => {
    gateway = await startTestGateway();
    mess = agencyAgent(gateway.certsDir, 'mess');
    retraite = agencyAgent(gateway.certsDir, 'retraite-qc');
    afe = agencyAgent(gateway.certsDir, 'afe');
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all([mess?.close(), retraite?.close(), afe?.close()]);
    await gateway?.stop();
  });

  it('releases on the statute without any consent: basis statute, no consent id, signed, minimised, audited with the reference and the case', async () => {
    const response = await exchange(mess, { ...CONTROL, caseRef: 'CTRL-2026-0042' });
    expect(response.status).toBe(200);
    const body = response.body as Record<string, unknown>;
    expect(body).toMatchObject({
      product: 'revenu.avis-cotisation',
      purpose: 'mess.controle-admissibilite',
      basis: 'statute',
      consentId: null,
    });
    expect(Object.keys(body.data as object).sort()).toEqual(['assessmentDate', 'netIncome', 'taxYear', 'totalIncome']);

    const jwks = createLocalJWKSet(
      (await (await fetch(`${gateway.publicUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet,
    );
    const [protectedHeader, , signature] = (response.headers['x-jws-signature'] as string).split('.');
    const verified = await flattenedVerify(
      { protected: protectedHeader, payload: Buffer.from(response.text).toString('base64url'), signature },
      jwks,
    );
    expect(JSON.parse(Buffer.from(verified.payload).toString('utf8'))).toEqual(body);

    const records = await recordsOf(response);
    expect(records.map((r) => [r.kind, r.decision])).toEqual([
      ['exchange.intent', null],
      ['exchange.outcome', 'allow'],
    ]);
    for (const record of records) {
      expect(record.payload.details).toMatchObject({
        basis: 'statute',
        legalReference: expect.stringContaining('A-13.1.1'),
        caseRef: 'CTRL-2026-0042',
        consentId: null,
      });
    }
  });

  it('answers 400 naming /caseRef when the statute requires a case reference, and audits the refusal', async () => {
    const response = await exchange(mess, CONTROL);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      code: 'invalid-request',
      errors: [{ pointer: '/caseRef', message: expect.any(String) }],
    });
    const records = await recordsOf(response);
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'exchange.outcome',
        decision: 'deny',
        payload: expect.objectContaining({
          reason: 'case-ref-missing',
          details: expect.objectContaining({ basis: 'statute', answer: 'invalid-request' }),
        }),
      }),
    ]);
  });

  it('keeps a statute to the agencies and products its access rules name: anyone else gets the usual answers', async () => {
    // afe has no access to this purpose: the contract refuses it before any basis is looked at.
    const other = await exchange(afe, { ...CONTROL, citizen: citizenIdOf('afe', 'demo-citizen-3'), caseRef: 'X-1' });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'purpose-not-allowed' });
    // mess may use the statute for the notice of assessment, not for the address.
    const product = await exchange(mess, { ...CONTROL, product: 'saaq.adresse', caseRef: 'X-1' });
    expect(product.status).toBe(403);
    expect(product.body).toMatchObject({ code: 'purpose-not-allowed' });
  });

  it('serves a statute with a disclosure delay and records the delay with every record', async () => {
    const response = await exchange(retraite, INQUIRY);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ basis: 'statute', consentId: null, purpose: 'retraite-qc.enquete' });
    const records = await recordsOf(response);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.payload.details).toMatchObject({ basis: 'statute', disclosureDelayDays: 90 });
    }
  });

  it('answers a consent purpose with basis consent and the consent it rests on', async () => {
    const grant = await fetch(`${gateway.publicUrl}/v1/me/consents`, {
      method: 'POST',
      headers: { ...bearer(await citizenToken('demo-citizen-2')), 'content-type': 'application/json' },
      body: JSON.stringify({ requester: 'afe', purpose: 'afe.calcul-aide', products: ['revenu.avis-cotisation'] }),
    });
    const consent = (await grant.json()) as { id: string };
    const response = await exchange(afe, {
      product: 'revenu.avis-cotisation',
      version: 1,
      purpose: 'afe.calcul-aide',
      citizen: citizenIdOf('afe', 'demo-citizen-2'),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ basis: 'consent', consentId: consent.id });
    const [, outcome] = await recordsOf(response);
    expect(outcome.payload.details).toMatchObject({ basis: 'consent', consentId: consent.id });
    expect(outcome.payload.details).not.toHaveProperty('legalReference');
  });

  it('refuses a citizen’s consent for a statute purpose: 400 naming the purpose, nothing recorded', async () => {
    const response = await fetch(`${gateway.publicUrl}/v1/me/consents`, {
      method: 'POST',
      headers: { ...bearer(await citizenToken('demo-citizen-1')), 'content-type': 'application/json' },
      body: JSON.stringify({
        requester: 'mess',
        purpose: 'mess.controle-admissibilite',
        products: ['revenu.avis-cotisation'],
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'invalid-request',
      errors: [{ pointer: '/purpose', message: expect.stringContaining('statute') }],
    });
    const { rows } = await db.query("SELECT 1 FROM consent WHERE purpose = 'mess.controle-admissibilite'");
    expect(rows).toHaveLength(0);
  });

  it('refuses an agency’s consent request for a statute purpose: 400 naming the purpose, the refusal audited', async () => {
    const response = await call(mess, `${gateway.agencyUrl}/v1/consent-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        citizen: citizenIdOf('mess', 'demo-citizen-1'),
        purpose: 'mess.controle-admissibilite',
        products: ['revenu.avis-cotisation'],
      }),
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid-request', errors: [{ pointer: '/purpose' }] });
    const records = await recordsOf(response);
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'consent-request.refused',
        payload: expect.objectContaining({ reason: 'statute-purpose' }),
      }),
    ]);
  });
});
