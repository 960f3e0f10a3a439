import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { Client } from 'pg';
import type { ConsentView } from '../src/consent/consent';
import { ConsentService } from '../src/consent/consent.service';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const GRANT = { requester: 'afe', purpose: 'afe.calcul-aide', products: ['revenu.avis-cotisation'] };
const DAY_MS = 86_400_000;

describe('Consents: citizens grant, list, revoke, and get signed receipts', () => {
  let gateway: TestGateway;
  let service: ConsentService;
  let db: Client;
  const tokens: Record<string, string> = {};

  const api = async (
    citizen: string,
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: unknown; text: string; type: string | null }> => {
    tokens[citizen] ??= await citizenToken(citizen);
    const response = await fetch(`${gateway.publicUrl}/v1/me/consents${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...bearer(tokens[citizen]),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text, type: response.headers.get('content-type') };
  };
  const grant = async (citizen: string, terms: Record<string, unknown> = GRANT): Promise<ConsentView> => {
    const response = await api(citizen, '', { method: 'POST', body: terms });
    expect(response.status).toBe(201);
    return response.body as ConsentView;
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    service = gateway.gateway.app.get(ConsentService);
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await gateway.stop();
  });

  it('grants an active consent, capped by default at the purpose’s maximum, and finds it in force', async () => {
    const before = Date.now();
    const consent = await grant('demo-citizen-1');
    expect(consent).toMatchObject({
      citizen: 'demo-citizen-1',
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: [{ product: 'revenu.avis-cotisation' }],
      mode: 'ongoing',
      status: 'active',
      predecessorId: null,
      useCount: 0,
    });
    const maxDays = gateway.gateway.catalogue.purposes.get('afe.calcul-aide')?.maxConsentDays ?? 0;
    const span = Date.parse(consent.validUntil) - Date.parse(consent.validFrom);
    expect(span).toBe(maxDays * DAY_MS);
    expect(Date.parse(consent.validFrom)).toBeGreaterThanOrEqual(before - 1000);
    await expect(
      service.findInForce('demo-citizen-1', 'afe', 'afe.calcul-aide', 'revenu.avis-cotisation'),
    ).resolves.toBe(consent.id);
    // Nothing else is covered: another purpose, organisation, product or citizen.
    await expect(
      service.findInForce('demo-citizen-1', 'mess', 'afe.calcul-aide', 'revenu.avis-cotisation'),
    ).resolves.toBeUndefined();
    await expect(
      service.findInForce('demo-citizen-1', 'afe', 'afe.calcul-aide', 'etat-civil.naissance'),
    ).resolves.toBeUndefined();
    await expect(
      service.findInForce('demo-citizen-2', 'afe', 'afe.calcul-aide', 'revenu.avis-cotisation'),
    ).resolves.toBeUndefined();
  });

  it('signs a receipt that verifies against the JWKS and names the record, and fails once tampered', async () => {
    const consent = await grant('demo-citizen-1', {
      ...GRANT,
      products: [{ product: 'etat-civil.naissance', fields: ['lastName'] }],
    });
    const response = await api('demo-citizen-1', `/${consent.id}/receipt`);
    expect(response.status).toBe(200);
    expect(response.type).toMatch(/^application\/jose/);
    const jwks = (await (await fetch(`${gateway.publicUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(response.text, createLocalJWKSet(jwks));
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      jti: consent.id,
      sub: 'demo-citizen-1',
      consentReceiptID: consent.id,
      piiPrincipalId: 'demo-citizen-1',
      piiControllers: [{ piiController: 'afe' }],
      services: [
        {
          service: 'etat-civil.naissance',
          purposes: [{ purpose: 'afe.calcul-aide', piiCategory: ['lastName'], thirdPartyName: 'dec' }],
        },
      ],
      consent: { status: 'active', validUntil: consent.validUntil },
    });
    const [header, body, signature] = response.text.split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, piiPrincipalId: 'demo-citizen-2' })).toString('base64url');
    await expect(jwtVerify(`${header}.${forged}.${signature}`, createLocalJWKSet(jwks))).rejects.toThrow();
    expect(body).not.toBe(forged);
  });

  it('revokes at once: the successor record is revoked, the consent no longer in force, the receipt says so', async () => {
    const consent = await grant('demo-citizen-3');
    const revoked = await api('demo-citizen-3', `/${consent.id}/revoke`, { method: 'POST' });
    expect(revoked.status).toBe(200);
    const successor = revoked.body as ConsentView;
    expect(successor).toMatchObject({ status: 'revoked', predecessorId: consent.id, revokedBy: 'demo-citizen-3' });
    expect(successor.id).not.toBe(consent.id);
    await expect(
      service.findInForce('demo-citizen-3', 'afe', 'afe.calcul-aide', 'revenu.avis-cotisation'),
    ).resolves.toBeUndefined();

    const listed = (await api('demo-citizen-3', '')).body as { consents: ConsentView[] };
    expect(listed.consents.map((c) => [c.id, c.status])).toEqual([[successor.id, 'revoked']]);
    // The original record is unchanged, and points at its successor.
    const original = (await api('demo-citizen-3', `/${consent.id}`)).body as ConsentView;
    expect(original).toMatchObject({ status: 'active', successorId: successor.id });

    const again = await api('demo-citizen-3', `/${consent.id}/revoke`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((again.body as { code: string }).code).toBe('consent-not-active');
    const receipt = (await api('demo-citizen-3', `/${successor.id}/receipt`)).text;
    const claims = JSON.parse(Buffer.from(receipt.split('.')[1], 'base64url').toString()) as { consent: unknown };
    expect(claims.consent).toMatchObject({ status: 'revoked', predecessorId: consent.id });

    const events = await db.query<{ type: string }>(
      "SELECT type FROM outbox_event WHERE payload->>'consentId' IN ($1, $2) ORDER BY id",
      [consent.id, successor.id],
    );
    expect(events.rows.map((e) => e.type)).toEqual(['consent.granted', 'consent.revoked']);
  });

  it('lets nobody read or change another citizen’s consent: 404, the same as a consent that does not exist', async () => {
    const consent = await grant('demo-citizen-4');
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const path of ['', '/receipt']) {
      const theirs = await api('demo-citizen-5', `/${consent.id}${path}`);
      const none = await api('demo-citizen-5', `/${missing}${path}`);
      expect(theirs.status).toBe(404);
      const { correlationId: _a, ...a } = theirs.body as Record<string, unknown>;
      const { correlationId: _b, ...b } = none.body as Record<string, unknown>;
      expect(a).toEqual(b);
    }
    expect((await api('demo-citizen-5', `/${consent.id}/revoke`, { method: 'POST' })).status).toBe(404);
    expect((await api('demo-citizen-5', '/not-a-uuid')).status).toBe(404);
    const listed = (await api('demo-citizen-5', '')).body as { consents: ConsentView[] };
    expect(listed.consents.map((c) => c.id)).not.toContain(consent.id);
    await expect(
      service.findInForce('demo-citizen-4', 'afe', 'afe.calcul-aide', 'revenu.avis-cotisation'),
    ).resolves.toBe(consent.id);
  });

  it.each([
    ['a product the requester may not ask for', { ...GRANT, products: ['saaq.adresse'] }, '/products/0'],
    ['a purpose of another organisation', { ...GRANT, purpose: 'mess.aide-sociale' }, '/products/0'],
    ['an unknown purpose', { ...GRANT, purpose: 'afe.autre-chose' }, '/purpose'],
    [
      'a field the purpose may not receive',
      { ...GRANT, products: [{ product: 'revenu.avis-cotisation', fields: ['taxYear', 'balance'] }] },
      '/products/0/fields/1',
    ],
    [
      'a product listed twice',
      { ...GRANT, products: ['revenu.avis-cotisation', 'revenu.avis-cotisation'] },
      '/products/1',
    ],
    [
      'a validity beyond the purpose’s cap',
      { ...GRANT, validUntil: new Date(Date.now() + 5000 * DAY_MS).toISOString() },
      '/validUntil',
    ],
    ['a validity already over', { ...GRANT, validUntil: new Date(Date.now() - DAY_MS).toISOString() }, '/validUntil'],
    ['a start in the past', { ...GRANT, validFrom: new Date(Date.now() - DAY_MS).toISOString() }, '/validFrom'],
  ])('refuses %s with 422, naming the field', async (_what, terms, pointer) => {
    const response = await api('demo-citizen-2', '', { method: 'POST', body: terms });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation-failed', errors: [expect.objectContaining({ pointer })] });
  });

  it.each([
    ['no products', { requester: 'afe', purpose: 'afe.calcul-aide', products: [] }, '/products'],
    ['a missing requester', { purpose: 'afe.calcul-aide', products: ['revenu.avis-cotisation'] }, '/requester'],
    ['an unknown member', { ...GRANT, citizen: 'demo-citizen-1' }, '/citizen'],
    ['a bad mode', { ...GRANT, mode: 'forever' }, '/mode'],
    ['a date that is not a date', { ...GRANT, validUntil: 'tomorrow' }, '/validUntil'],
  ])('refuses %s with 400, naming the field', async (_what, terms, pointer) => {
    const response = await api('demo-citizen-2', '', { method: 'POST', body: terms });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'invalid-request',
      errors: expect.arrayContaining([expect.objectContaining({ pointer })]),
    });
  });

  it('accepts a narrowing to fewer fields, and a one-time consent', async () => {
    const consent = await grant('demo-citizen-2', {
      ...GRANT,
      mode: 'one-time',
      products: [{ product: 'revenu.avis-cotisation', fields: ['taxYear', 'netIncome'] }],
    });
    expect(consent).toMatchObject({
      mode: 'one-time',
      products: [{ product: 'revenu.avis-cotisation', fields: ['taxYear', 'netIncome'] }],
    });
  });

  it('keeps the organisation up to date when the citizen says so: in the view, the list and the receipt', async () => {
    const consent = await grant('demo-citizen-1', { ...GRANT, mode: 'ongoing', keepUpToDate: true });
    expect(consent).toMatchObject({ mode: 'ongoing', keepUpToDate: true, status: 'active' });
    expect((await api('demo-citizen-1', `/${consent.id}`)).body).toMatchObject({ keepUpToDate: true });
    const listed = (await api('demo-citizen-1', '')).body as { consents: ConsentView[] };
    expect(listed.consents.find((c) => c.id === consent.id)).toMatchObject({ keepUpToDate: true });
    const receipt = (await api('demo-citizen-1', `/${consent.id}/receipt`)).text;
    const claims = JSON.parse(Buffer.from(receipt.split('.')[1], 'base64url').toString()) as {
      consent: Record<string, unknown>;
    };
    expect(claims.consent).toMatchObject({ mode: 'ongoing', keep_up_to_date: true });
    const stored = await db.query<{ keep_up_to_date: boolean }>(
      'SELECT keep_up_to_date FROM consent_grant WHERE consent_id = $1',
      [consent.id],
    );
    expect(stored.rows).toEqual([{ keep_up_to_date: true }]);
  });

  it('does not keep the organisation up to date unless asked, and says so nowhere in the receipt', async () => {
    const consent = await grant('demo-citizen-1');
    expect(consent.keepUpToDate).toBe(false);
    const receipt = (await api('demo-citizen-1', `/${consent.id}/receipt`)).text;
    const claims = JSON.parse(Buffer.from(receipt.split('.')[1], 'base64url').toString()) as {
      consent: Record<string, unknown>;
    };
    expect(claims.consent).not.toHaveProperty('keep_up_to_date');
    expect((await grant('demo-citizen-1', { ...GRANT, keepUpToDate: false })).keepUpToDate).toBe(false);
  });

  it('refuses to keep an organisation up to date with a one-time consent: 422 naming /keepUpToDate', async () => {
    const response = await api('demo-citizen-1', '', {
      method: 'POST',
      body: { ...GRANT, mode: 'one-time', keepUpToDate: true },
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'validation-failed',
      errors: [expect.objectContaining({ pointer: '/keepUpToDate' })],
    });
    const bad = await api('demo-citizen-1', '', { method: 'POST', body: { ...GRANT, keepUpToDate: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [expect.objectContaining({ pointer: '/keepUpToDate' })] });
  });

  it('decides expiry at check time: validUntil == now is expired; the job then writes the successor and its event', async () => {
    const validUntil = new Date(Date.now() + 3_600_000);
    const consent = await grant('demo-citizen-5', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
      validUntil: validUntil.toISOString(),
    });
    const find = (at: Date): Promise<string | undefined> =>
      service.findInForce('demo-citizen-5', 'mess', 'mess.aide-sociale', 'saaq.adresse', at);
    await expect(find(new Date(validUntil.getTime() - 1))).resolves.toBe(consent.id);
    await expect(find(validUntil)).resolves.toBeUndefined();
    const atBoundary = await service.list('demo-citizen-5', validUntil);
    expect(atBoundary.find((c) => c.id === consent.id)?.status).toBe('expired');
    const justBefore = await service.list('demo-citizen-5', new Date(validUntil.getTime() - 1));
    expect(justBefore.find((c) => c.id === consent.id)?.status).toBe('active');

    expect(await service.expireDue(validUntil)).toBeGreaterThanOrEqual(1);
    const after = await service.list('demo-citizen-5', validUntil);
    expect(after.find((c) => c.predecessorId === consent.id)).toMatchObject({ status: 'expired' });
    const events = await db.query(
      "SELECT 1 FROM outbox_event WHERE type = 'consent.expired' AND payload->>'predecessorId' = $1",
      [consent.id],
    );
    expect(events.rowCount).toBe(1);
    expect(await service.expireDue(validUntil)).toBe(0);
  });

  it('keeps records immutable in the database itself', async () => {
    const consent = await grant('demo-citizen-1');
    await expect(db.query("UPDATE consent SET status = 'revoked' WHERE id = $1", [consent.id])).rejects.toThrow(
      /immutable/,
    );
  });

  it('looks a consent up with one index-only scan', async () => {
    await db.query('VACUUM ANALYZE consent_grant');
    await db.query('SET enable_seqscan = off');
    await db.query('SET enable_bitmapscan = off');
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT consent_id FROM consent_grant
       WHERE citizen = $1 AND requester = $2 AND purpose = $3 AND product = $4 AND valid_until > $5 AND valid_from <= $5
       ORDER BY valid_until DESC LIMIT 1`,
      ['demo-citizen-1', 'afe', 'afe.calcul-aide', 'revenu.avis-cotisation', new Date()],
    );
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
      /Index Only Scan (Backward )?using consent_grant_lookup/,
    );
  });
});
