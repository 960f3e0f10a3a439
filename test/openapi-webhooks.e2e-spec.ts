/**
 * The webhooks the reference documents, as agencies really receive them: one
 * receiver registered over mutual TLS, every event type caused through the
 * public APIs, and each delivery checked against the document's `webhooks`
 * (headers, body schema, no undocumented field) and its signature verified by
 * the rule the document gives, with the keys of /.well-known/jwks.json.
 */
import type { JWK } from 'jose';
import type { Agent } from 'undici';
import { verifyDetached } from '../src/platform/signing/detached-jws';
import { agencyAgent, call } from './support/agency-client';
import { grantedConsentId } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startHttpStub, type HttpStub, type StubRequest } from './support/http-stub';
import { checkAgencyAnswers, type OpenApiConformance } from './support/openapi-conformance';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';

/**
 * Webhooks of the document that this file cannot cause, each with the reason.
 * Every other one must have been delivered here, or the last test fails.
 */
const NOT_PRODUCIBLE: Record<string, string> = {};

const ADDRESS = 'saaq.adresse';
const PURPOSE = 'mess.aide-sociale';

interface Delivered {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

describe('Real webhook deliveries conform to the OpenAPI reference', () => {
  let gateway: TestGateway;
  let check: OpenApiConformance;
  let receiver: HttpStub;
  let mess: Agent;
  let saaq: Agent;
  let keys: JWK[];

  const agency = (agent: Agent, method: 'POST' | 'PUT', path: string, body: unknown) =>
    call(agent, `${gateway.agencyUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const asCitizen = async (citizen: string, path: string): Promise<Record<string, unknown>> => {
    const response = await fetch(`${gateway.publicUrl}${path}`, {
      method: 'POST',
      headers: bearer(await citizenToken(citizen)),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  const delivered = (): Delivered[] => receiver.requests.map((request) => JSON.parse(request.body) as Delivered);
  const deliveryOf = (type: string, matches: (data: Record<string, unknown>) => boolean): Promise<Delivered> =>
    eventually(
      () => delivered().some((event) => event.type === type && matches(event.data)),
      `the ${type} delivery`,
      30_000,
    ).then(() => delivered().find((event) => event.type === type && matches(event.data)) as Delivered);
  const askConsent = async (citizen: string): Promise<string> => {
    const response = await agency(mess, 'POST', '/v1/consent-requests', {
      citizen: citizenIdOf('mess', citizen),
      purpose: PURPOSE,
      products: [ADDRESS],
    });
    expect(response.status).toBe(201);
    return (response.body as { id: string }).id;
  };

  /** The documented signature rule: the detached JWS over BASE64URL(body bytes), key named by `kid`. */
  const signatureVerifies = async (request: StubRequest): Promise<boolean> => {
    const signature = request.headers['x-jws-signature'];
    if (typeof signature !== 'string') return false;
    const header = JSON.parse(Buffer.from(signature.split('.')[0], 'base64url').toString('utf8')) as {
      alg?: string;
      kid?: string;
    };
    const key = keys.find((candidate) => candidate.kid === header.kid);
    if (header.alg !== 'ES256' || key === undefined) return false;
    return verifyDetached(signature, Buffer.from(request.body, 'utf8'), key);
  };

  beforeAll(async () => {
    receiver = await startHttpStub((_request, response) => response.writeHead(204).end());
    gateway = await startTestGateway({ env: { NOTIFY_INTERVAL_MS: '50', CHANGES_INTERVAL_MS: '50' } });
    // The agency answers of this file are checked against the reference too.
    check = await checkAgencyAnswers(gateway.publicUrl);
    keys = ((await (await fetch(`${gateway.publicUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] }).keys;
    mess = agencyAgent(gateway.certsDir, 'mess');
    saaq = agencyAgent(gateway.certsDir, 'saaq');
    expect((await agency(mess, 'PUT', '/v1/webhook', { url: `${receiver.url}/hooks/passerelle` })).status).toBe(200);
    expect((await agency(mess, 'PUT', `/v1/subscriptions/${ADDRESS}`, { purpose: PURPOSE })).status).toBe(201);
  });

  afterAll(async () => {
    await Promise.all([mess?.close(), saaq?.close()]);
    await gateway?.stop();
    await receiver?.close();
  });

  it('a consent granted, then revoked', async () => {
    const consentId = await grantedConsentId(gateway.publicUrl, 'demo-citizen-5', {
      requester: 'mess',
      purpose: PURPOSE,
      products: [ADDRESS],
    });
    await asCitizen('demo-citizen-5', `/v1/me/consents/${consentId}/revoke`);
    await deliveryOf('consent.granted', (data) => data.consentId === consentId);
    const revoked = await deliveryOf('consent.revoked', (data) => data.predecessorId === consentId);
    expect(revoked.data).toMatchObject({ status: 'revoked', citizen: citizenIdOf('mess', 'demo-citizen-5') });
  });

  it('a one-time consent used up by its exchange', async () => {
    const consentId = await grantedConsentId(gateway.publicUrl, 'demo-citizen-2', {
      requester: 'mess',
      purpose: PURPOSE,
      products: [ADDRESS],
      mode: 'one-time',
    });
    const exchange = await agency(mess, 'POST', '/v1/exchanges', {
      product: ADDRESS,
      version: 1,
      purpose: PURPOSE,
      citizen: citizenIdOf('mess', 'demo-citizen-2'),
    });
    expect(exchange.status).toBe(200);
    const expired = await deliveryOf('consent.expired', (data) => data.predecessorId === consentId);
    expect(expired.data.status).toBe('expired');
  });

  it('consent requests approved and rejected by the citizen', async () => {
    const approved = await askConsent('demo-citizen-3');
    const rejected = await askConsent('demo-citizen-4');
    await asCitizen('demo-citizen-3', `/v1/me/consent-requests/${approved}/approve`);
    await asCitizen('demo-citizen-4', `/v1/me/consent-requests/${rejected}/reject`);
    const yes = await deliveryOf('consent-request.approved', (data) => data.requestId === approved);
    await deliveryOf('consent.granted', (data) => data.consentId === yes.data.consentId);
    const no = await deliveryOf('consent-request.rejected', (data) => data.requestId === rejected);
    expect(no.data).toMatchObject({ status: 'rejected', citizen: citizenIdOf('mess', 'demo-citizen-4') });
  });

  it('a change notice for a citizen who keeps the subscriber up to date', async () => {
    const grant = await fetch(`${gateway.publicUrl}/v1/me/consents`, {
      method: 'POST',
      headers: { ...bearer(await citizenToken('demo-citizen-1')), 'content-type': 'application/json' },
      body: JSON.stringify({ requester: 'mess', purpose: PURPOSE, products: [ADDRESS], keepUpToDate: true }),
    });
    expect(grant.status).toBe(201);
    const { validFrom } = (await grant.json()) as { validFrom: string };
    // A consent covers the changes made while it is in force: this one a millisecond after it began.
    const changedAt = new Date(Date.parse(validFrom) + 1).toISOString();
    const report = await agency(saaq, 'POST', '/v1/changes', {
      product: ADDRESS,
      citizen: citizenIdOf('saaq', 'demo-citizen-1'),
      changedAt,
    });
    expect(report.status).toBe(202);
    const { changeId } = report.body as { changeId: string };
    const notice = await deliveryOf('product.changed', (data) => data.changeId === changeId);
    expect(notice.data).toMatchObject({ citizen: citizenIdOf('mess', 'demo-citizen-1'), purpose: PURPOSE });
  });

  it('every delivery conforms to its documented webhook and carries a signature that verifies', async () => {
    expect(receiver.requests.length).toBeGreaterThan(0);
    // Every delivery is checked before the test fails, so that it names every difference at once.
    const problems: string[] = [];
    for (const request of receiver.requests) {
      const { id, type } = JSON.parse(request.body) as Delivered;
      problems.push(
        ...check.deliveryProblems({ method: request.method, headers: request.headers, text: request.body }),
      );
      if (request.url !== '/hooks/passerelle') problems.push(`${type} ${id}: delivered to ${request.url}`);
      // The document: `id` is also the `webhook-id` header, the receiver's key to deduplicate on.
      if (request.headers['webhook-id'] !== id) problems.push(`${type} ${id}: webhook-id is not the event's id`);
      if (!(await signatureVerifies(request))) problems.push(`${type} ${id}: the signature does not verify`);
    }
    expect(problems).toEqual([]);
    // The signature check is not vacuous: one changed byte no longer verifies.
    const first = receiver.requests[0];
    await expect(signatureVerifies({ ...first, body: first.body.replace('"type"', '"Type"') })).resolves.toBe(false);
  });

  it('received every webhook the document lists, but for those named as not producible here', () => {
    const unknown = Object.keys(NOT_PRODUCIBLE).filter((name) => !check.webhookNames.includes(name));
    expect(unknown).toEqual([]);
    const expected = check.webhookNames.filter((name) => !Object.hasOwn(NOT_PRODUCIBLE, name)).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect([...check.seenWebhooks].sort()).toEqual(expected);
  });
});
