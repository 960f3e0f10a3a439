import { Client } from 'pg';
import type { Agent } from 'undici';
import { FanOutJob } from '../src/changes/fan-out.job';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { grantedConsentId, type GrantTerms } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startHttpStub, type HttpStub } from './support/http-stub';
import { startTestGateway, type TestGateway } from './support/test-gateway';
import { checkAgencyAnswers } from './support/openapi-conformance';

interface Webhook {
  type: string;
  data: { changeId: string; product: string; citizen: string; changedAt: string; purpose: string };
}

const ADDRESS = 'saaq.adresse';

/** Owners report changes; the subscribers whose basis covers the citizen are told, and nobody else. */
describe('Change propagation: tell us once, pushed', () => {
  let gateway: TestGateway;
  let saaq: Agent;
  let retraite: Agent;
  let mess: Agent;
  let afe: Agent;
  let db: Client;
  const receivers: Record<string, HttpStub> = {};

  const json = (agent: Agent, method: 'POST' | 'PUT', path: string, body: unknown, headers = {}) =>
    call(agent, `${gateway.agencyUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const report = (citizen: string, changedAt: string, headers = {}): Promise<AgencyResponse> =>
    json(saaq, 'POST', '/v1/changes', { product: ADDRESS, citizen, changedAt }, headers);
  const grant = (citizen: string, terms: GrantTerms): Promise<string> =>
    grantedConsentId(gateway.publicUrl, citizen, terms);
  const noticesTo = (organisation: string, changeId: string): Webhook[] =>
    receivers[organisation].requests
      .map((r) => JSON.parse(r.body) as Webhook)
      .filter((w) => w.type === 'product.changed' && w.data.changeId === changeId);
  const settled = async (changeId: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await db.query<{ done: boolean; queued: number; delivered: number }>(
        `SELECT (SELECT fanned_out_at IS NOT NULL FROM change_report WHERE id = $1) AS done,
                (SELECT count(*)::int FROM outbox_event WHERE payload->>'changeId' = $1::text) AS queued,
                (SELECT count(*)::int FROM notification_delivery d JOIN outbox_event e ON e.id = d.event_id
                  WHERE e.payload->>'changeId' = $1::text AND d.status = 'delivered') AS delivered`,
        [changeId],
      );
      const row = rows[0];
      if ((row?.done ?? true) && row !== undefined && row.queued === row.delivered) return;
      if (Date.now() > deadline) throw new Error(`change ${changeId} did not settle`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const auditOf = async (changeId: string) =>
    (
      await db.query<{ kind: string; organisation: string; purpose: string | null; decision: string }>(
        "SELECT kind, organisation, purpose, decision FROM audit_event WHERE payload->'details'->>'changeId' = $1 ORDER BY seq",
        [changeId],
      )
    ).rows;
  const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();
  // A consent covers changes made while it is in force: after the grants of beforeAll, distinct by a millisecond.
  let granted = 0;
  const since = (ms: number): string => new Date(granted + ms).toISOString();

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { NOTIFY_INTERVAL_MS: '50', CHANGES_INTERVAL_MS: '50' } });
    // Every agency answer in this file is checked against the API reference.
    await checkAgencyAnswers(gateway.publicUrl);
    saaq = agencyAgent(gateway.certsDir, 'saaq');
    retraite = agencyAgent(gateway.certsDir, 'retraite-qc');
    mess = agencyAgent(gateway.certsDir, 'mess');
    afe = agencyAgent(gateway.certsDir, 'afe');
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    for (const [organisation, agent] of [
      ['retraite-qc', retraite],
      ['mess', mess],
    ] as const) {
      receivers[organisation] = await startHttpStub((_request, response) => response.writeHead(204).end());
      expect((await json(agent, 'PUT', '/v1/webhook', { url: receivers[organisation].url })).status).toBe(200);
    }
    expect((await json(retraite, 'PUT', `/v1/subscriptions/${ADDRESS}`, { purpose: 'retraite-qc.rente' })).status).toBe(
      201,
    );
    expect((await json(mess, 'PUT', `/v1/subscriptions/${ADDRESS}`, { purpose: 'mess.aide-sociale' })).status).toBe(
      201,
    );
    // Citizen 2 keeps retraite-qc up to date; citizen 2's consent to mess is one-time, which keeps nobody up to date.
    await grant('demo-citizen-2', {
      requester: 'retraite-qc',
      purpose: 'retraite-qc.rente',
      products: [ADDRESS],
      keepUpToDate: true,
    });
    await grant('demo-citizen-2', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: [ADDRESS],
      mode: 'one-time',
    });
    granted = Date.now() + 1;
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all([saaq, retraite, mess, afe].map((agent) => agent?.close()));
    await gateway?.stop();
    await Promise.all(Object.values(receivers).map((r) => r.close()));
  });

  it('tells the subscriber that the citizen keeps up to date, in its own identifier and with no data; it fetches as usual', async () => {
    const response = await report(citizenIdOf('saaq', 'demo-citizen-2'), since(1));
    expect(response.status).toBe(202);
    const { changeId } = response.body as { changeId: string };
    await settled(changeId);
    const [notice, ...more] = noticesTo('retraite-qc', changeId);
    expect(more).toEqual([]);
    expect(notice.data).toEqual({
      changeId,
      product: ADDRESS,
      citizen: citizenIdOf('retraite-qc', 'demo-citizen-2'),
      changedAt: expect.any(String),
      purpose: 'retraite-qc.rente',
    });
    // mess's consent is one-time: mess learns nothing, not even that something changed.
    expect(noticesTo('mess', changeId)).toEqual([]);
    expect(await auditOf(changeId)).toEqual([
      { kind: 'change.notified', organisation: 'retraite-qc', purpose: 'retraite-qc.rente', decision: 'allow' },
    ]);
    const fetched = await json(retraite, 'POST', '/v1/exchanges', {
      product: ADDRESS,
      version: 1,
      purpose: 'retraite-qc.rente',
      citizen: notice.data.citizen,
    });
    expect(fetched.status).toBe(200);
  });

  it('tells a subscriber under a statute about any citizen, and records a change that told nobody', async () => {
    expect(
      (await json(retraite, 'PUT', `/v1/subscriptions/${ADDRESS}`, { purpose: 'retraite-qc.enquete' })).status,
    ).toBe(201);
    try {
      const told = await report(citizenIdOf('saaq', 'demo-citizen-4'), minutesAgo(2));
      const { changeId } = told.body as { changeId: string };
      await settled(changeId);
      expect(noticesTo('retraite-qc', changeId).map((n) => n.data.purpose)).toEqual(['retraite-qc.enquete']);
    } finally {
      await call(retraite, `${gateway.agencyUrl}/v1/subscriptions/${ADDRESS}?purpose=retraite-qc.enquete`, {
        method: 'DELETE',
      });
    }
    const nobody = await report(citizenIdOf('saaq', 'demo-citizen-5'), minutesAgo(2));
    const { changeId } = nobody.body as { changeId: string };
    await settled(changeId);
    expect(await auditOf(changeId)).toEqual([
      { kind: 'change.reported', organisation: 'saaq', purpose: null, decision: 'allow' },
    ]);
  });

  it('stops the notices from the next change on once the citizen revokes', async () => {
    const consentId = await grant('demo-citizen-3', {
      requester: 'retraite-qc',
      purpose: 'retraite-qc.rente',
      products: [ADDRESS],
      keepUpToDate: true,
    });
    const before = (await report(citizenIdOf('saaq', 'demo-citizen-3'), new Date().toISOString())).body as {
      changeId: string;
    };
    await settled(before.changeId);
    expect(noticesTo('retraite-qc', before.changeId)).toHaveLength(1);
    const revoked = await fetch(`${gateway.publicUrl}/v1/me/consents/${consentId}/revoke`, {
      method: 'POST',
      headers: bearer(await citizenToken('demo-citizen-3')),
    });
    expect(revoked.status).toBe(200);
    const after = (await report(citizenIdOf('saaq', 'demo-citizen-3'), new Date().toISOString())).body as {
      changeId: string;
    };
    await settled(after.changeId);
    expect(noticesTo('retraite-qc', after.changeId)).toEqual([]);
  });

  it('records a change once: the same (product, citizen, changedAt), or the same Idempotency-Key, give the same id', async () => {
    const citizen = citizenIdOf('saaq', 'demo-citizen-2');
    const at = since(10);
    const first = await report(citizen, at, { 'idempotency-key': 'nightly-1' });
    const again = await report(citizen, at);
    const replayed = await report(citizen, at, { 'idempotency-key': 'nightly-1' });
    expect(first.status).toBe(202);
    const { changeId } = first.body as { changeId: string };
    expect(again.body).toEqual({ changeId });
    expect(replayed.body).toEqual({ changeId });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const reused = await report(citizen, since(11), { 'idempotency-key': 'nightly-1' });
    expect(reused.status).toBe(422);
    await settled(changeId);
    expect(noticesTo('retraite-qc', changeId)).toHaveLength(1);
  });

  it('takes a batch, answering an id for each change in order, an unknown citizen included and told to nobody', async () => {
    const unknown = 'A'.repeat(40);
    const response = await json(saaq, 'POST', '/v1/changes', {
      changes: [
        { product: ADDRESS, citizen: citizenIdOf('saaq', 'demo-citizen-2'), changedAt: since(20) },
        { product: ADDRESS, citizen: unknown, changedAt: since(20) },
        { product: ADDRESS, citizen: citizenIdOf('saaq', 'demo-citizen-1'), changedAt: since(20) },
      ],
    });
    expect(response.status).toBe(202);
    const { changeIds } = response.body as { changeIds: string[] };
    expect(changeIds).toHaveLength(3);
    expect(new Set(changeIds).size).toBe(3);
    await settled(changeIds[0]);
    await settled(changeIds[2]);
    expect(noticesTo('retraite-qc', changeIds[0])).toHaveLength(1);
    expect(noticesTo('retraite-qc', changeIds[1])).toEqual([]);
    expect(await auditOf(changeIds[1])).toEqual([
      { kind: 'change.reported', organisation: 'saaq', purpose: null, decision: 'deny' },
    ]);
    // The unknown citizen's change is recorded nowhere else.
    expect((await db.query('SELECT 1 FROM change_report WHERE id = $1', [changeIds[1]])).rows).toHaveLength(0);
  });

  it('takes a nightly batch of 10,000 changes in one call, over the default body limit of other routes', async () => {
    const change = { product: ADDRESS, citizen: citizenIdOf('saaq', 'demo-citizen-5'), changedAt: since(30) };
    const body = JSON.stringify({ changes: Array.from({ length: 10_000 }, () => change) });
    expect(body.length).toBeGreaterThan(1_048_576);
    const response = await call(saaq, `${gateway.agencyUrl}/v1/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(202);
    // The same change ten thousand times is one change.
    const { changeIds } = response.body as { changeIds: string[] };
    expect(changeIds).toHaveLength(10_000);
    expect(new Set(changeIds).size).toBe(1);
    const tooMany = JSON.stringify({ changes: Array.from({ length: 10_001 }, () => change) });
    const refused = await call(saaq, `${gateway.agencyUrl}/v1/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: tooMany,
    });
    expect(refused.status).toBe(400);
  });

  it('answers an unknown citizen exactly as a known one', async () => {
    const known = await report(citizenIdOf('saaq', 'demo-citizen-5'), minutesAgo(30));
    const unknown = await report('B'.repeat(40), minutesAgo(30));
    const pivot = await report('demo-citizen-5', minutesAgo(30));
    for (const response of [known, unknown, pivot]) {
      expect(response.status).toBe(202);
      expect(Object.keys(response.body as object)).toEqual(['changeId']);
    }
  });

  it.each([
    ['a product it does not own', { product: 'revenu.avis-cotisation' }, 403, 'forbidden', '/product'],
    ['an unknown product', { product: 'saaq.inconnu' }, 403, 'forbidden', '/product'],
    [
      'a changedAt in the future',
      { changedAt: new Date(Date.now() + 3_600_000).toISOString() },
      400,
      'invalid-request',
      '/changedAt',
    ],
    ['an unparsable changedAt', { changedAt: 'yesterday' }, 400, 'invalid-request', '/changedAt'],
    ['a missing citizen', { citizen: undefined }, 400, 'invalid-request', '/citizen'],
  ])('refuses %s', async (_what, change, status, code, pointer) => {
    const body = {
      product: ADDRESS,
      citizen: citizenIdOf('saaq', 'demo-citizen-2'),
      changedAt: minutesAgo(1),
      ...change,
    };
    const response = await json(saaq, 'POST', '/v1/changes', body);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code, errors: [expect.objectContaining({ pointer })] });
  });

  it('refuses a change reported by anyone but the product’s owner', async () => {
    const response = await json(afe, 'POST', '/v1/changes', {
      product: ADDRESS,
      citizen: citizenIdOf('afe', 'demo-citizen-2'),
      changedAt: minutesAgo(1),
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });

  it('resumes a fan-out that did not happen, once: a change left pending is told exactly once', async () => {
    const job = gateway.gateway.app.get(FanOutJob);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO change_report (id, product, citizen, changed_at, reported_by)
       VALUES (gen_random_uuid(), $1, 'demo-citizen-2', now(), 'saaq') RETURNING id`,
      [ADDRESS],
    );
    const changeId = rows[0].id;
    await Promise.all([job.drain(), job.drain()]);
    await job.drain();
    await settled(changeId);
    const { rows: queued } = await db.query('SELECT 1 FROM outbox_event WHERE payload->>$2 = $1::text', [
      changeId,
      'changeId',
    ]);
    expect(queued).toHaveLength(1);
    expect(noticesTo('retraite-qc', changeId)).toHaveLength(1);
  });
});
