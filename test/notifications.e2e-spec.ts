import type { JWK } from 'jose';
import { Client } from 'pg';
import type { Agent } from 'undici';
import { CitizenContacts } from '../src/notifications/citizen-contacts.service';
import { verifyDetached } from '../src/platform/signing/detached-jws';
import { agencyAgent, call } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startHttpStub, type HttpStub } from './support/http-stub';
import { type Mailbox, startMailbox } from './support/mailbox';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';

const MAX_ATTEMPTS = 3;

describe('Notifications from the transactional outbox: signed webhooks with retries, and citizen messages', () => {
  let gateway: TestGateway;
  let afe: Agent;
  let mess: Agent;
  let db: Client;
  let flaky: HttpStub;
  let stuck: HttpStub;
  let mailbox: Mailbox;
  let flakyFailures = 2;

  const registerWebhook = (agent: Agent, url: string) =>
    call(agent, `${gateway.agencyUrl}/v1/webhook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });
  const grant = async (citizen: string, terms: Record<string, unknown>): Promise<string> => {
    const response = await fetch(`${gateway.publicUrl}/v1/me/consents`, {
      method: 'POST',
      headers: { ...bearer(await citizenToken(citizen)), 'content-type': 'application/json' },
      body: JSON.stringify(terms),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const deliveries = async (consentId: string) =>
    (
      await db.query<{ channel: string; status: string; attempts: number; last_error: string | null }>(
        `SELECT d.channel, d.status, d.attempts, d.last_error FROM notification_delivery d
         JOIN outbox_event e ON e.id = d.event_id WHERE e.payload->>'consentId' = $1 ORDER BY d.channel`,
        [consentId],
      )
    ).rows;

  beforeAll(async () => {
    // A receiver that fails twice before it accepts, and one that never answers.
    flaky = await startHttpStub((_request, response) => {
      if (flakyFailures-- > 0) response.writeHead(500).end('try later');
      else response.writeHead(204).end();
    });
    stuck = await startHttpStub(() => undefined);
    mailbox = await startMailbox();
    gateway = await startTestGateway({
      env: {
        NOTIFY_INTERVAL_MS: '50',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        WEBHOOK_TIMEOUT_MS: '300',
        SMTP_URL: mailbox.server.smtpUrl,
      },
    });
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    expect((await registerWebhook(afe, `${flaky.url}/hooks/passerelle`)).status).toBe(200);
    expect((await registerWebhook(mess, `${stuck.url}/hooks`)).status).toBe(200);
  });

  afterAll(async () => {
    await db.end();
    await Promise.all([afe.close(), mess.close()]);
    await gateway.stop();
    await Promise.all([flaky.close(), stuck.close(), mailbox.close()]);
  });

  it('delivers consent.granted to the organisation, signed, after retrying a failing receiver', async () => {
    const consentId = await grant('demo-citizen-1', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
    });
    await eventually(
      async () => (await deliveries(consentId)).some((d) => d.channel === 'webhook' && d.status === 'delivered'),
      'the webhook delivery',
      10_000,
    );
    expect((await deliveries(consentId)).find((d) => d.channel === 'webhook')).toMatchObject({ attempts: 3 });
    const accepted = flaky.requests.filter((r) => r.body.includes(consentId));
    expect(accepted).toHaveLength(3);
    const last = accepted[2];
    expect(last.url).toBe('/hooks/passerelle');
    const event = JSON.parse(last.body) as { type: string; data: Record<string, unknown> };
    expect(event).toMatchObject({
      type: 'consent.granted',
      data: { consentId, citizen: citizenIdOf('afe', 'demo-citizen-1'), requester: 'afe', status: 'active' },
    });
    // The receiver knows the citizen by its own sector's identifier, never by the pivot id.
    expect(last.body).not.toContain('demo-citizen');

    const { keys } = (await (await fetch(`${gateway.publicUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const signature = last.headers['x-jws-signature'] as string;
    await expect(verifyDetached(signature, Buffer.from(last.body), keys[0])).resolves.toBe(true);
    await expect(verifyDetached(signature, Buffer.from(last.body.replace('afe', 'mess')), keys[0])).resolves.toBe(
      false,
    );
  });

  it('dead-letters after the last attempt, and a stuck receiver holds up nobody else', async () => {
    const stuckConsent = await grant('demo-citizen-2', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    flakyFailures = 0;
    const meanwhile = await grant('demo-citizen-2', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['etat-civil.naissance'],
    });
    await eventually(
      async () => (await deliveries(meanwhile)).some((d) => d.channel === 'webhook' && d.status === 'delivered'),
      'the other organisation’s delivery',
      5_000,
    );
    // The stuck receiver's delivery is still being tried while the other went through.
    expect((await deliveries(stuckConsent)).find((d) => d.channel === 'webhook')?.status).toBe('pending');
    await eventually(
      async () => (await deliveries(stuckConsent)).some((d) => d.channel === 'webhook' && d.status === 'dead'),
      'the dead letter',
      15_000,
    );
    expect((await deliveries(stuckConsent)).find((d) => d.channel === 'webhook')).toMatchObject({
      attempts: MAX_ATTEMPTS,
      last_error: 'timeout',
    });
    expect(stuck.requests.length).toBe(MAX_ATTEMPTS);
  });

  it('sends the citizen’s message through SMTP to the confirmed address of their contact record', async () => {
    await gateway.gateway.app
      .get(CitizenContacts)
      .recordSignIn('demo-citizen-3', { email: 'citizen3@example.org', emailVerified: true });
    const consentId = await grant('demo-citizen-3', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
    });
    await eventually(
      async () => (await deliveries(consentId)).some((d) => d.channel === 'mail' && d.status === 'delivered'),
      'the message',
      5_000,
    );
    const mine = await mailbox.to('citizen3@example.org');
    expect(mine.map((m) => m.subject)).toEqual(['Autorisation donnée à Aide financière aux études']);
    // Citizens without a contact record (demo-citizen-1 and 2 above) were written nothing.
    expect((await mailbox.server.mails()).length).toBe(1);
  });

  it.each([
    ['another scheme', 'ftp://example.test/hook'],
    ['credentials in the URL', 'https://user:secret@example.test/hook'],
    ['not a URL', 'hooks here'],
  ])('refuses a callback URL with %s', async (_what, url) => {
    const response = await registerWebhook(afe, url);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ pointer: '/url' }] });
  });
});
