import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Agent } from 'undici';
import type { ConsentView } from '../src/consent/consent';
import type { ConsentRequestView } from '../src/consent/consent-request.service';
import { ConsentService } from '../src/consent/consent.service';
import { agencyAgent, call } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';
import { checkAgencyAnswers } from './support/openapi-conformance';

const ASK = {
  citizen: citizenIdOf('afe', 'demo-citizen-1'),
  purpose: 'afe.calcul-aide',
  products: ['revenu.avis-cotisation'],
};

describe('Agency consent requests, decided by the citizen', () => {
  let gateway: TestGateway;
  let afe: Agent;
  let mess: Agent;
  let db: Client;

  const ask = (agent: Agent, body: unknown, key?: string) =>
    call(agent, `${gateway.agencyUrl}/v1/consent-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
      body: JSON.stringify(body),
    });
  const citizen = async (
    who: string,
    path: string,
    method = 'GET',
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${gateway.publicUrl}/v1/me/consent-requests${path}`, {
      method,
      headers: {
        ...bearer(await citizenToken(who)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  type Decided = { request: ConsentRequestView; consent: ConsentView };
  const keepsUpToDate = async (consentId: string): Promise<boolean[]> =>
    (
      await db.query<{ keep_up_to_date: boolean }>(
        'SELECT keep_up_to_date FROM consent WHERE id = $1 UNION ALL SELECT keep_up_to_date FROM consent_grant WHERE consent_id = $1',
        [consentId],
      )
    ).rows.map((row) => row.keep_up_to_date);

  beforeAll(async () => {
    gateway = await startTestGateway();
    // Every agency answer in this file is checked against the API reference.
    await checkAgencyAnswers(gateway.publicUrl);
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await Promise.all([afe.close(), mess.close()]);
    await gateway.stop();
  });

  it('records a pending request, visible to the asking organisation and the citizen only', async () => {
    const created = await ask(afe, { ...ASK, message: 'Pour votre demande de prêts et bourses' });
    expect(created.status).toBe(201);
    const request = created.body as ConsentRequestView;
    expect(request).toMatchObject({
      requester: 'afe',
      citizen: citizenIdOf('afe', 'demo-citizen-1'),
      status: 'pending',
      consentId: null,
    });

    const byAfe = await call(afe, `${gateway.agencyUrl}/v1/consent-requests/${request.id}`);
    expect(byAfe.body).toMatchObject({
      id: request.id,
      citizen: citizenIdOf('afe', 'demo-citizen-1'),
      status: 'pending',
    });
    expect((await call(mess, `${gateway.agencyUrl}/v1/consent-requests/${request.id}`)).status).toBe(404);

    const mine = (await citizen('demo-citizen-1', '')).body as { requests: ConsentRequestView[] };
    expect(mine.requests.map((r) => r.id)).toContain(request.id);
    const theirs = (await citizen('demo-citizen-2', '')).body as { requests: ConsentRequestView[] };
    expect(theirs.requests.map((r) => r.id)).not.toContain(request.id);
    expect((await citizen('demo-citizen-2', `/${request.id}/approve`, 'POST')).status).toBe(404);
  });

  it('approval makes the consent active and in force, once', async () => {
    const request = (await ask(afe, ASK)).body as ConsentRequestView;
    const approved = await citizen('demo-citizen-1', `/${request.id}/approve`, 'POST');
    expect(approved.status).toBe(200);
    const { request: decided, consent } = approved.body as { request: ConsentRequestView; consent: ConsentView };
    expect(decided).toMatchObject({ status: 'approved', consentId: consent.id });
    expect(consent).toMatchObject({
      status: 'active',
      requestId: request.id,
      requester: 'afe',
      citizen: 'demo-citizen-1',
    });
    await expect(
      gateway.gateway.app
        .get(ConsentService)
        .findInForce('demo-citizen-1', 'afe', 'afe.calcul-aide', 'revenu.avis-cotisation'),
    ).resolves.toBe(consent.id);

    const again = await citizen('demo-citizen-1', `/${request.id}/reject`, 'POST');
    expect(again.status).toBe(409);
    expect((again.body as { code: string }).code).toBe('request-already-decided');
    const seen = await call(afe, `${gateway.agencyUrl}/v1/consent-requests/${request.id}`);
    expect(seen.body).toMatchObject({ status: 'approved', consentId: consent.id });
    const events = await db.query<{ type: string }>(
      "SELECT type FROM outbox_event WHERE payload->>'requestId' = $1 ORDER BY id",
      [request.id],
    );
    expect(events.rows.map((e) => e.type)).toEqual([
      'consent-request.created',
      'consent.granted',
      'consent-request.approved',
    ]);
  });

  it('rejection records a refused consent that grants nothing', async () => {
    const request = (await ask(afe, { ...ASK, citizen: citizenIdOf('afe', 'demo-citizen-3') }))
      .body as ConsentRequestView;
    const rejected = await citizen('demo-citizen-3', `/${request.id}/reject`, 'POST');
    expect(rejected.status).toBe(200);
    const { consent } = rejected.body as { consent: ConsentView };
    expect(consent).toMatchObject({ status: 'refused', requestId: request.id });
    await expect(
      gateway.gateway.app
        .get(ConsentService)
        .findInForce('demo-citizen-3', 'afe', 'afe.calcul-aide', 'revenu.avis-cotisation'),
    ).resolves.toBeUndefined();
  });

  it('keeps the organisation up to date as it asked when the citizen approves without a body', async () => {
    const created = await ask(afe, { ...ASK, citizen: citizenIdOf('afe', 'demo-citizen-5'), keepUpToDate: true });
    expect(created.status).toBe(201);
    const request = created.body as ConsentRequestView;
    expect(request).toMatchObject({ mode: 'ongoing', keepUpToDate: true });
    const mine = (await citizen('demo-citizen-5', '')).body as { requests: ConsentRequestView[] };
    expect(mine.requests.find((r) => r.id === request.id)).toMatchObject({ keepUpToDate: true });

    const approved = await citizen('demo-citizen-5', `/${request.id}/approve`, 'POST');
    expect(approved.status).toBe(200);
    const { consent } = approved.body as Decided;
    expect(consent).toMatchObject({ status: 'active', keepUpToDate: true, requestId: request.id });
    expect(await keepsUpToDate(consent.id)).toEqual([true, true]);
    // Not asked, not kept: the default.
    const plain = (await ask(afe, { ...ASK, citizen: citizenIdOf('afe', 'demo-citizen-5') }))
      .body as ConsentRequestView;
    expect(plain.keepUpToDate).toBe(false);
    const plainConsent = ((await citizen('demo-citizen-5', `/${plain.id}/approve`, 'POST')).body as Decided).consent;
    expect(plainConsent.keepUpToDate).toBe(false);
  });

  it('lets the citizen decide otherwise when approving, either way', async () => {
    const who = 'demo-citizen-5';
    const asked = (await ask(afe, { ...ASK, citizen: citizenIdOf('afe', who), keepUpToDate: true }))
      .body as ConsentRequestView;
    const declined = await citizen(who, `/${asked.id}/approve`, 'POST', { keepUpToDate: false });
    expect(declined.status).toBe(200);
    const { consent: notKept } = declined.body as Decided;
    expect(notKept).toMatchObject({ status: 'active', keepUpToDate: false });
    expect(await keepsUpToDate(notKept.id)).toEqual([false, false]);

    const notAsked = (await ask(afe, { ...ASK, citizen: citizenIdOf('afe', who) })).body as ConsentRequestView;
    const chosen = await citizen(who, `/${notAsked.id}/approve`, 'POST', { keepUpToDate: true });
    expect(chosen.status).toBe(200);
    expect((chosen.body as Decided).consent.keepUpToDate).toBe(true);

    const empty = (await ask(afe, { ...ASK, citizen: citizenIdOf('afe', who), keepUpToDate: true }))
      .body as ConsentRequestView;
    const asIs = await citizen(who, `/${empty.id}/approve`, 'POST', {});
    expect((asIs.body as Decided).consent.keepUpToDate).toBe(true);
  });

  it('refuses to keep an organisation up to date with a one-time request: 422 naming /keepUpToDate, still pending', async () => {
    const who = 'demo-citizen-5';
    const onceAsked = await ask(afe, {
      ...ASK,
      citizen: citizenIdOf('afe', who),
      mode: 'one-time',
      keepUpToDate: true,
    });
    expect(onceAsked.status).toBe(422);
    expect(onceAsked.body).toMatchObject({ errors: [expect.objectContaining({ pointer: '/keepUpToDate' })] });

    const once = (await ask(afe, { ...ASK, citizen: citizenIdOf('afe', who), mode: 'one-time' }))
      .body as ConsentRequestView;
    expect(once).toMatchObject({ mode: 'one-time', keepUpToDate: false });
    const refused = await citizen(who, `/${once.id}/approve`, 'POST', { keepUpToDate: true });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'validation-failed',
      errors: [expect.objectContaining({ pointer: '/keepUpToDate' })],
    });
    const seen = await call(afe, `${gateway.agencyUrl}/v1/consent-requests/${once.id}`);
    expect(seen.body).toMatchObject({ status: 'pending', consentId: null });
    const approved = await citizen(who, `/${once.id}/approve`, 'POST', { keepUpToDate: false });
    expect(approved.status).toBe(200);
    expect((approved.body as Decided).consent).toMatchObject({ mode: 'one-time', keepUpToDate: false });
  });

  it.each([
    ['a string', { keepUpToDate: 'yes' }, '/keepUpToDate'],
    ['another member', { keepUpToDate: true, mode: 'one-time' }, '/mode'],
    ['a body that is not an object', [true], '/'],
  ])('refuses an approval with %s: 400, the request still pending', async (_what, body, pointer) => {
    const request = (await ask(afe, { ...ASK, citizen: citizenIdOf('afe', 'demo-citizen-5') }))
      .body as ConsentRequestView;
    const response = await citizen('demo-citizen-5', `/${request.id}/approve`, 'POST', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'invalid-request',
      errors: expect.arrayContaining([expect.objectContaining({ pointer })]),
    });
    const seen = await call(afe, `${gateway.agencyUrl}/v1/consent-requests/${request.id}`);
    expect(seen.body).toMatchObject({ status: 'pending' });
  });

  it('replays the first answer for the same Idempotency-Key and body, also under concurrency', async () => {
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => ask(afe, { ...ASK, citizen: citizenIdOf('afe', 'demo-citizen-4') }, key)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    const ids = new Set(answers.map((a) => (a.body as ConsentRequestView).id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
    const rows = await db.query('SELECT 1 FROM consent_request WHERE id = $1', [[...ids][0]]);
    expect(rows.rowCount).toBe(1);

    // Key order does not make another request: the body is compared canonically.
    const reordered = await ask(
      afe,
      { products: ASK.products, purpose: ASK.purpose, citizen: citizenIdOf('afe', 'demo-citizen-4') },
      key,
    );
    expect((reordered.body as ConsentRequestView).id).toBe([...ids][0]);
  });

  it('refuses the same Idempotency-Key with another body (422), and keys are per organisation', async () => {
    const key = randomUUID();
    expect((await ask(afe, ASK, key)).status).toBe(201);
    const other = await ask(afe, { ...ASK, citizen: citizenIdOf('afe', 'demo-citizen-2') }, key);
    expect(other.status).toBe(422);
    expect((other.body as { code: string }).code).toBe('idempotency-key-reused');
    const messAsk = await ask(
      mess,
      { citizen: citizenIdOf('mess', 'demo-citizen-2'), purpose: 'mess.aide-sociale', products: ['saaq.adresse'] },
      key,
    );
    expect(messAsk.status).toBe(201);
    expect(messAsk.headers['idempotent-replayed']).toBeUndefined();
  });

  it.each([
    ['a product the organisation may not ask for', { ...ASK, products: ['saaq.adresse'] }, 422, '/products/0'],
    ['a purpose of another organisation', { ...ASK, purpose: 'mess.aide-sociale' }, 422, '/products/0'],
    ['no citizen', { purpose: ASK.purpose, products: ASK.products }, 400, '/citizen'],
    ['a requester field (it comes from the certificate)', { ...ASK, requester: 'mess' }, 400, '/requester'],
    ['a message too long', { ...ASK, message: 'x'.repeat(501) }, 400, '/message'],
  ])('refuses %s', async (_what, body, status, pointer) => {
    const response = await ask(afe, body);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ pointer })]) });
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const response = await ask(afe, ASK, 'has spaces in it');
    expect(response.status).toBe(400);
  });
});
