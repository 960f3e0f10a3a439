import { Client } from 'pg';
import type { Agent } from 'undici';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { startTestGateway, type TestGateway } from './support/test-gateway';
import { checkAgencyAnswers } from './support/openapi-conformance';

type Org = 'afe' | 'mess' | 'retraite-qc';

/** Without its correlation id, which differs on every answer. */
const withoutCorrelation = (body: unknown): Record<string, unknown> => {
  const { correlationId, ...rest } = body as Record<string, unknown>;
  expect(typeof correlationId).toBe('string');
  return rest;
};

/**
 * Subscriptions to changes: an agency follows a product for a purpose its
 * access rules grant, sees only its own subscriptions, and learns nothing from
 * a refusal. Nothing here names a citizen.
 */
describe('Subscriptions to changes, per product and purpose', () => {
  let gateway: TestGateway;
  let agents: Record<Org, Agent>;
  let db: Client;

  const send = (
    org: Org,
    method: 'PUT' | 'GET' | 'DELETE',
    path: string,
    body?: unknown,
    raw?: string,
  ): Promise<AgencyResponse> =>
    call(agents[org], `${gateway.agencyUrl}/v1/subscriptions${path}`, {
      method,
      headers: body === undefined && raw === undefined ? {} : { 'content-type': 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  const subscribe = (org: Org, product: string, purpose: unknown): Promise<AgencyResponse> =>
    send(org, 'PUT', `/${product}`, { purpose });
  const list = async (org: Org): Promise<{ product: string; purpose: string; createdAt: string }[]> => {
    const response = await send(org, 'GET', '');
    expect(response.status).toBe(200);
    return (response.body as { subscriptions: { product: string; purpose: string; createdAt: string }[] })
      .subscriptions;
  };
  const rows = async (): Promise<{ organisation: string; product: string; purpose: string }[]> =>
    (
      await db.query<{ organisation: string; product: string; purpose: string }>(
        'SELECT organisation, product, purpose FROM subscription ORDER BY organisation, product, purpose',
      )
    ).rows;

  beforeAll(async () => {
    gateway = await startTestGateway();
    // Every agency answer in this file is checked against the API reference.
    await checkAgencyAnswers(gateway.publicUrl);
    agents = {
      afe: agencyAgent(gateway.certsDir, 'afe'),
      mess: agencyAgent(gateway.certsDir, 'mess'),
      'retraite-qc': agencyAgent(gateway.certsDir, 'retraite-qc'),
    };
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await Promise.all(Object.values(agents).map((agent) => agent.close()));
    await gateway.stop();
  });

  it('subscribes once (201), answers the same again (200), and lists it for its organisation only', async () => {
    const first = await subscribe('afe', 'revenu.avis-cotisation', 'afe.calcul-aide');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      product: 'revenu.avis-cotisation',
      purpose: 'afe.calcul-aide',
      createdAt: expect.any(String),
    });
    const { createdAt } = first.body as { createdAt: string };
    expect(new Date(createdAt).toISOString()).toBe(createdAt);

    const again = await subscribe('afe', 'revenu.avis-cotisation', 'afe.calcul-aide');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    expect(await list('afe')).toEqual([first.body]);
    expect(await list('mess')).toEqual([]);

    // mess follows the same product for its own purpose: each organisation sees only its own.
    const mess = await subscribe('mess', 'revenu.avis-cotisation', 'mess.aide-sociale');
    expect(mess.status).toBe(201);
    expect(await list('mess')).toEqual([mess.body]);
    expect(await list('afe')).toEqual([first.body]);
  });

  it('removes a subscription (204), then has none to remove (404)', async () => {
    expect((await subscribe('afe', 'etat-civil.naissance', 'afe.calcul-aide')).status).toBe(201);
    expect((await list('afe')).map((s) => s.product)).toContain('etat-civil.naissance');

    const removed = await send('afe', 'DELETE', '/etat-civil.naissance?purpose=afe.calcul-aide');
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await list('afe')).map((s) => s.product)).not.toContain('etat-civil.naissance');

    const again = await send('afe', 'DELETE', '/etat-civil.naissance?purpose=afe.calcul-aide');
    expect(again.status).toBe(404);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({ code: 'not-found', status: 404 });
  });

  it("does not remove another organisation's subscription", async () => {
    expect((await subscribe('mess', 'saaq.adresse', 'mess.aide-sociale')).status).toBe(201);
    const foreign = await send('afe', 'DELETE', '/saaq.adresse?purpose=mess.aide-sociale');
    expect(foreign.status).toBe(404);
    expect((await list('mess')).map((s) => [s.product, s.purpose])).toContainEqual([
      'saaq.adresse',
      'mess.aide-sociale',
    ]);
  });

  it('allows a statute purpose the contract grants', async () => {
    const inquiry = await subscribe('retraite-qc', 'saaq.adresse', 'retraite-qc.enquete');
    expect(inquiry.status).toBe(201);
    expect(inquiry.body).toMatchObject({ product: 'saaq.adresse', purpose: 'retraite-qc.enquete' });
    expect(await list('retraite-qc')).toEqual([inquiry.body]);
  });

  it('refuses, with one identical answer, whatever is not granted', async () => {
    const before = await rows();
    const refusals = await Promise.all([
      subscribe('afe', 'nope.inconnu', 'afe.calcul-aide'), // no such product
      subscribe('afe', 'saaq.adresse', 'afe.calcul-aide'), // product not granted to afe
      subscribe('afe', 'revenu.avis-cotisation', 'mess.aide-sociale'), // another agency's consent purpose
      subscribe('afe', 'revenu.avis-cotisation', 'afe.inconnu'), // no such purpose
      subscribe('afe', 'revenu.avis-cotisation', 'mess.controle-admissibilite'), // another agency's statute purpose
      subscribe('mess', 'saaq.adresse', 'retraite-qc.enquete'), // the statute purpose of another agency
      subscribe('mess', 'etat-civil.naissance', 'mess.aide-sociale'), // product not granted to mess
    ]);
    const expected = {
      type: 'urn:passerelle:problem:purpose-not-allowed',
      title: 'Purpose not allowed for this product',
      status: 403,
      code: 'purpose-not-allowed',
    };
    for (const refusal of refusals) {
      expect(refusal.status).toBe(403);
      expect(refusal.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(withoutCorrelation(refusal.body)).toEqual(expected);
    }
    expect(await rows()).toEqual(before);
  });

  it.each([
    ['no purpose', {}, '/purpose'],
    ['an unknown member', { purpose: 'afe.calcul-aide', keepUpToDate: true }, '/keepUpToDate'],
    ['a purpose that is not a string', { purpose: 42 }, '/purpose'],
    ['a malformed purpose', { purpose: 'AFE CALCUL' }, '/purpose'],
    ['an array', ['afe.calcul-aide'], '/'],
  ])('refuses a body with %s (400 naming the pointer)', async (_name, body, pointer) => {
    const response = await send('afe', 'PUT', '/revenu.avis-cotisation', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'invalid-request',
      errors: expect.arrayContaining([expect.objectContaining({ pointer })]),
    });
  });

  it('refuses malformed JSON and a query string on PUT and GET', async () => {
    const malformed = await send('afe', 'PUT', '/revenu.avis-cotisation', undefined, '{"purpose":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'invalid-request' });

    const putQuery = await send('afe', 'PUT', '/revenu.avis-cotisation?purpose=afe.calcul-aide', {
      purpose: 'afe.calcul-aide',
    });
    expect(putQuery.status).toBe(400);
    expect(putQuery.body).toMatchObject({ errors: [{ pointer: 'query' }] });

    const getQuery = await send('afe', 'GET', '?organisation=mess');
    expect(getQuery.status).toBe(400);
    expect(getQuery.body).toMatchObject({ errors: [{ pointer: 'query' }] });
  });

  it.each([
    ['missing', ''],
    ['empty', '?purpose='],
    ['malformed', '?purpose=AFE%20CALCUL'],
    ['repeated', '?purpose=afe.calcul-aide&purpose=afe.calcul-aide'],
  ])('refuses a DELETE whose purpose is %s (400 naming query:purpose)', async (_name, query) => {
    const response = await send('afe', 'DELETE', `/revenu.avis-cotisation${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'invalid-request',
      errors: expect.arrayContaining([expect.objectContaining({ pointer: 'query:purpose' })]),
    });
    expect((await list('afe')).map((s) => s.product)).toContain('revenu.avis-cotisation');
  });

  it('refuses a DELETE with another query parameter, naming it', async () => {
    const response = await send('afe', 'DELETE', '/revenu.avis-cotisation?purpose=afe.calcul-aide&organisation=mess');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ pointer: 'query:organisation' }] });
    expect((await list('afe')).map((s) => s.product)).toContain('revenu.avis-cotisation');
  });

  it('involves no citizen data: no citizen column, no audit record, no citizen in any answer', async () => {
    const columns = await db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'subscription' ORDER BY column_name",
    );
    expect(columns.rows.map((c) => c.column_name)).toEqual(['created_at', 'organisation', 'product', 'purpose']);

    const answers = [
      await subscribe('afe', 'revenu.avis-cotisation', 'afe.calcul-aide'),
      await send('afe', 'GET', ''),
      await subscribe('afe', 'saaq.adresse', 'afe.calcul-aide'),
    ];
    const correlations = answers.map((answer) => answer.headers['x-correlation-id'] as string);
    const audited = await db.query('SELECT seq FROM audit_event WHERE correlation_id = ANY($1)', [correlations]);
    expect(audited.rows).toEqual([]);
    for (const answer of answers) expect(answer.text).not.toMatch(/citizen/i);
  });
});
