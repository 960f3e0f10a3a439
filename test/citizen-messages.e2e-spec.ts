import { Client } from 'pg';
import { mintDevToken } from '../src/citizen-auth/dev-idp/dev-token';
import { CITIZEN_EVENTS } from '../src/notifications/citizen-contact';
import { CitizenContacts } from '../src/notifications/citizen-contacts.service';
import { agencyAgent, call } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, devIdpKey, TEST_AUDIENCE } from './support/citizen-tokens';
import { confirmationTokenOf as tokenOf, type Mailbox, quebecDate, startMailbox } from './support/mailbox';
import { startPortalGateway, type PortalGateway } from './support/portal-gateway';
import { eventually } from './support/test-gateway';
import { csrfOf, WebClient } from './support/web-client';

const PORTAL = 'https://portail.example';
const SMS_TOKEN = 'sink-token-for-tests';
const ALL = [...CITIZEN_EVENTS];

/** A moment 20 days ahead at 03:00 UTC: still the evening before in Quebec. */
function lateEvening(): Date {
  const day = new Date(Date.now() + 20 * 86_400_000);
  day.setUTCHours(3, 0, 0, 0);
  return day;
}

describe('Messages to citizens: contact records, e-mail through SMTP, text messages, in their language', () => {
  let gateway: PortalGateway;
  let mailbox: Mailbox;
  let contacts: CitizenContacts;
  let db: Client;

  const api = async (citizen: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${gateway.publicUrl}${path}`, {
      method: 'POST',
      headers: {
        ...bearer(
          await mintDevToken(await devIdpKey(), { issuer: gateway.issuer, audience: TEST_AUDIENCE, subject: citizen }),
        ),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const grant = async (citizen: string, validUntil?: Date): Promise<string> => {
    const response = await api(citizen, '/v1/me/consents', {
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: ['revenu.avis-cotisation'],
      ...(validUntil === undefined ? {} : { validUntil: validUntil.toISOString() }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const revoke = async (citizen: string, consentId: string): Promise<void> => {
    expect((await api(citizen, `/v1/me/consents/${consentId}/revoke`)).status).toBe(200);
  };
  const mailTo = (address: string) => mailbox.to(address);
  const waitForMail = (address: string, subject: string) => mailbox.waitFor(address, subject);
  const delivered = (consentId: string, type: string): Promise<void> =>
    eventually(
      async () => {
        const { deliveries } = await outbox(consentId, type);
        return deliveries.length > 0 && deliveries.every((d) => d.status === 'delivered');
      },
      `the deliveries of ${type}`,
      10_000,
    );
  /** The outbox event of a consent's change (a revocation is its successor's), and the deliveries made of it. */
  const outbox = async (consentId: string, type: string) => {
    const events = await db.query<{ id: string; dispatched: boolean }>(
      `SELECT id, dispatched_at IS NOT NULL AS dispatched FROM outbox_event
       WHERE (payload->>'consentId' = $1 OR payload->>'predecessorId' = $1) AND type = $2`,
      [consentId, type],
    );
    const deliveries = await db.query<{ channel: string; status: string; last_error: string | null }>(
      'SELECT channel, status, last_error FROM notification_delivery WHERE event_id = $1 ORDER BY channel',
      [events.rows[0]?.id ?? '0'],
    );
    return { event: events.rows[0], deliveries: deliveries.rows };
  };

  beforeAll(async () => {
    mailbox = await startMailbox(SMS_TOKEN);
    gateway = await startPortalGateway({
      NOTIFY_INTERVAL_MS: '50',
      WEBHOOK_RETRY_BASE_MS: '50',
      SMTP_URL: mailbox.server.smtpUrl,
      SMS_URL: mailbox.server.smsUrl,
      SMS_TOKEN,
      PORTAL_BASE_URL: `${PORTAL}/`,
    });
    contacts = gateway.gateway.app.get(CitizenContacts);
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await gateway.stop();
    await mailbox.close();
  });

  it('writes to a confirmed address in the citizen’s language: names, a local date, the portal’s link, no code', async () => {
    await contacts.recordSignIn('demo-citizen-1', {
      email: 'marie.tremblay@example.org',
      emailVerified: true,
      locale: 'fr-CA',
    });
    const until = lateEvening();
    const consentId = await grant('demo-citizen-1', until);

    const message = await waitForMail('marie.tremblay@example.org', 'Autorisation donnée à Aide financière aux études');
    expect(message.text).toContain(
      "Vous avez autorisé Aide financière aux études à obtenir les renseignements suivants, pour la raison « Calcul de l'aide financière aux études » :\n- Avis de cotisation",
    );
    // The local date (the evening before in Quebec), not the UTC one.
    expect(message.text).toContain(`valide jusqu’au ${quebecDate('fr-CA', until)}`);
    expect(message.text).not.toContain(quebecDate('fr-CA', new Date(until.getTime() + 12 * 3_600_000)));
    expect(message.text).toContain(`Voir mes autorisations :\n${PORTAL}/consents`);
    for (const code of ['afe.calcul-aide', 'revenu.avis-cotisation', 'demo-citizen', consentId, 'consent.granted']) {
      expect(`${message.subject}\n${message.text}`).not.toContain(code);
    }
    expect(message.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    await delivered(consentId, 'consent.granted');
    expect((await outbox(consentId, 'consent.granted')).deliveries).toEqual([
      { channel: 'mail', status: 'delivered', last_error: null },
    ]);
  });

  it('writes nothing to a citizen without a contact record, or without a confirmed address, and moves on', async () => {
    const before = (await mailbox.server.mails()).length;
    const nobody = await grant('demo-citizen-2');
    await contacts.recordSignIn('demo-citizen-4', { email: 'unverified@example.org', emailVerified: false });
    const unconfirmed = await grant('demo-citizen-4');
    await eventually(
      async () =>
        (await outbox(nobody, 'consent.granted')).event?.dispatched === true &&
        (await outbox(unconfirmed, 'consent.granted')).event?.dispatched === true,
      'both events dispatched',
      10_000,
    );
    // Dispatched once, with no delivery to retry: nothing waits, nothing loops.
    expect((await outbox(nobody, 'consent.granted')).deliveries).toEqual([]);
    expect((await outbox(unconfirmed, 'consent.granted')).deliveries).toEqual([]);
    // A later message to someone else goes through the same rounds; still nothing for these two.
    await contacts.recordSignIn('demo-citizen-3', { email: 'later@example.org', emailVerified: true, locale: 'en' });
    await grant('demo-citizen-3');
    await waitForMail('later@example.org', 'Permission given to Aide financière aux études');
    expect((await outbox(nobody, 'consent.granted')).deliveries).toEqual([]);
    expect(await mailTo('unverified@example.org')).toEqual([]);
    expect((await mailbox.server.mails()).length).toBe(before + 1);
  });

  it('tells the citizen of a change notice under their consent, never of one under a statute', async () => {
    const saaq = agencyAgent(gateway.certsDir, 'saaq');
    const retraite = agencyAgent(gateway.certsDir, 'retraite-qc');
    const json = (agent: typeof saaq, method: 'POST' | 'PUT', path: string, body: unknown) =>
      call(agent, `${gateway.agencyUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      // Citizen 1 (French, confirmed address) keeps retraite-qc up to date; retraite-qc also subscribes under a statute.
      const consent = await api('demo-citizen-1', '/v1/me/consents', {
        requester: 'retraite-qc',
        purpose: 'retraite-qc.rente',
        products: ['saaq.adresse'],
        keepUpToDate: true,
      });
      expect(consent.status).toBe(201);
      const subscribe = async (purpose: string): Promise<void> => {
        expect((await json(retraite, 'PUT', '/v1/subscriptions/saaq.adresse', { purpose })).status).toBe(201);
      };
      const report = async (): Promise<string> => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const reported = await json(saaq, 'POST', '/v1/changes', {
          product: 'saaq.adresse',
          citizen: citizenIdOf('saaq', 'demo-citizen-1'),
          changedAt: new Date(Date.now() - 1).toISOString(),
        });
        expect(reported.status).toBe(202);
        return (reported.body as { changeId: string }).changeId;
      };
      const told = async (changeId: string) => {
        await eventually(
          async () =>
            (
              await db.query<{ done: boolean }>(
                `SELECT bool_and(e.dispatched_at IS NOT NULL AND coalesce(d.status, '') <> 'pending') AS done
                 FROM outbox_event e LEFT JOIN notification_delivery d ON d.event_id = e.id
                 WHERE e.payload->>'changeId' = $1`,
                [changeId],
              )
            ).rows[0]?.done === true,
          'the change notice dispatched',
          10_000,
        );
        return (
          await db.query<{ purpose: string; channel: string | null; status: string | null }>(
            `SELECT e.payload->>'purpose' AS purpose, d.channel, d.status
             FROM outbox_event e LEFT JOIN notification_delivery d ON d.event_id = e.id
             WHERE e.payload->>'changeId' = $1`,
            [changeId],
          )
        ).rows;
      };
      const SUBJECT = 'Retraite Québec a été avisé d’un changement';

      await subscribe('retraite-qc.rente');
      const first = await report();
      const notice = await waitForMail('marie.tremblay@example.org', SUBJECT);
      expect(await told(first)).toEqual([{ purpose: 'retraite-qc.rente', channel: 'mail', status: 'delivered' }]);
      const { rows } = await db.query<{ at: Date }>(
        "SELECT created_at AS at FROM outbox_event WHERE payload->>'changeId' = $1",
        [first],
      );
      expect(notice.text).toContain(
        `Comme vous l’avez demandé, Retraite Québec a été avisé le ${quebecDate('fr-CA', rows[0].at)} que vos renseignements « Adresse postale actuelle » ont changé`,
      );
      expect(notice.text).toContain(`${PORTAL}/history`);
      expect(notice.text).not.toContain(first);

      // Under the statute as well, retraite-qc is told under it: an investigation the citizen is not told of.
      await subscribe('retraite-qc.enquete');
      const second = await report();
      expect(await told(second)).toEqual([{ purpose: 'retraite-qc.enquete', channel: null, status: null }]);
      expect((await mailTo('marie.tremblay@example.org')).filter((m) => m.subject === SUBJECT)).toHaveLength(1);
    } finally {
      await Promise.all([saaq.close(), retraite.close()]);
    }
  });

  it('confirms a new address by its link before writing there; until then the confirmed one is used', async () => {
    await contacts.recordSignIn('demo-citizen-3', { email: 'later@example.org', emailVerified: true, locale: 'en' });
    const saved = await contacts.update('demo-citizen-3', {
      email: 'jean.new@example.org',
      lang: 'en',
      mailEvents: ALL,
      smsEvents: [],
    });
    expect(saved).toEqual({ emailChange: 'confirm-new', confirmationSent: true });
    const confirmation = await waitForMail('jean.new@example.org', 'Confirm your email address');
    expect(confirmation.text).toMatch(new RegExp(`${PORTAL}/contact/confirm\\?token=[A-Za-z0-9_-]{43}\\n`));
    const token = tokenOf(confirmation);
    // The old address is told a change was asked, without learning the new one.
    const notice = await waitForMail('later@example.org', 'Change of your email address');
    expect(notice.text).not.toContain('jean.new');
    // Only a hash of the link's token is kept.
    const stored = await db.query<{ row: string }>(
      "SELECT c::text AS row FROM citizen_contact c WHERE subject = 'demo-citizen-3'",
    );
    expect(stored.rows[0].row).not.toContain(token);

    const before = await grant('demo-citizen-3');
    await eventually(
      async () => (await outbox(before, 'consent.granted')).deliveries.some((d) => d.status === 'delivered'),
      'the message to the confirmed address',
      10_000,
    );
    expect((await mailTo('later@example.org')).filter((m) => m.subject.startsWith('Permission given'))).toHaveLength(2);
    expect((await mailTo('jean.new@example.org')).map((m) => m.subject)).toEqual(['Confirm your email address']);

    expect(await contacts.confirm('demo-citizen-3', token)).toBe('confirmed');
    expect(await contacts.get('demo-citizen-3')).toMatchObject({
      email: 'jean.new@example.org',
      emailConfirmed: true,
      pendingEmail: null,
    });
    await revoke('demo-citizen-3', before);
    const withdrawn = await waitForMail('jean.new@example.org', 'Permission withdrawn: Aide financière aux études');
    expect(withdrawn.text).toContain(`See my permissions:\n${PORTAL}/consents`);
    expect((await mailTo('later@example.org')).some((m) => m.subject.startsWith('Permission withdrawn'))).toBe(false);
  });

  it('refuses a wrong token, another citizen’s, an expired one, and one used already', async () => {
    await contacts.update('demo-citizen-4', { email: 'c4@example.org', lang: 'fr', mailEvents: ALL, smsEvents: [] });
    const first = tokenOf(await waitForMail('c4@example.org', 'Confirmez votre adresse courriel'));

    expect(await contacts.confirm('demo-citizen-4', 'A'.repeat(43))).toBe('invalid');
    expect(await contacts.confirm('demo-citizen-4', 'not a token')).toBe('invalid');
    expect(await contacts.confirm('demo-citizen-1', first)).toBe('invalid');
    await db.query(
      "UPDATE citizen_contact SET pending_expires_at = now() - interval '1 minute' WHERE subject = 'demo-citizen-4'",
    );
    expect(await contacts.confirm('demo-citizen-4', first)).toBe('expired');
    expect((await contacts.get('demo-citizen-4')).emailConfirmed).toBe(false);

    // Saving the address again sends a new link; the old one stays refused.
    const again = await contacts.update('demo-citizen-4', {
      email: 'c4@example.org',
      lang: 'fr',
      mailEvents: ALL,
      smsEvents: [],
    });
    expect(again).toEqual({ emailChange: 'confirm-new', confirmationSent: true });
    await eventually(async () => (await mailTo('c4@example.org')).length === 2, 'the second link', 10_000);
    const second = tokenOf((await mailTo('c4@example.org'))[0]);
    expect(second).not.toBe(first);
    expect(await contacts.confirm('demo-citizen-4', first)).toBe('invalid');
    expect(await contacts.confirm('demo-citizen-4', second)).toBe('confirmed');
    expect(await contacts.confirm('demo-citizen-4', second)).toBe('invalid');
    expect(await contacts.get('demo-citizen-4')).toMatchObject({ email: 'c4@example.org', emailConfirmed: true });
  });

  it('sends a text message for the events chosen for it only: short, with a link and no name', async () => {
    await contacts.update('demo-citizen-4', {
      email: 'c4@example.org',
      mobile: '+1 514 555 0123',
      lang: 'fr',
      mailEvents: [],
      smsEvents: ['consent.revoked'],
    });
    const consentId = await grant('demo-citizen-4');
    await eventually(
      async () => (await outbox(consentId, 'consent.granted')).event?.dispatched === true,
      'the grant dispatched',
      10_000,
    );
    expect((await outbox(consentId, 'consent.granted')).deliveries).toEqual([]);

    await revoke('demo-citizen-4', consentId);
    await eventually(async () => (await mailbox.server.texts()).length > 0, 'the text message', 10_000);
    const texts = await mailbox.server.texts();
    // The sink took it with the provider's bearer token.
    expect(texts.map(({ to, text }) => ({ to, text }))).toEqual([
      { to: '+15145550123', text: `Passerelle : une de vos autorisations a été retirée. ${PORTAL}/consents` },
    ]);
    await delivered(consentId, 'consent.revoked');
    expect((await outbox(consentId, 'consent.revoked')).deliveries).toEqual([
      { channel: 'sms', status: 'delivered', last_error: null },
    ]);
    // Nothing about the number or the text in the gateway's logs.
    expect(gateway.rawLogs.some((line) => line.includes('5145550123') || line.includes('retirée'))).toBe(false);
  });

  it('shows and saves contact details in the portal, with GOV.UK errors, and confirms through the link', async () => {
    const client = new WebClient();
    await client.follow(`${gateway.publicUrl}/auth/login`, 'demo-citizen-5');
    const page = await client.request(`${gateway.publicUrl}/contact`);
    expect(page.status).toBe(200);
    const form = await page.text();
    expect(form).toContain('Mes coordonnées');
    expect(form).toMatch(/name="mail-consent-request\.created"\s+type="checkbox"\s+value="yes"\s+checked/);
    expect(form).toContain('name="mobile"');
    const csrf = csrfOf(form);

    const forged = await client.request(`${gateway.publicUrl}/contact`, {
      form: { _csrf: 'forged', email: 'x@y.org' },
    });
    expect(forged.status).toBe(403);

    const invalid = await client.request(`${gateway.publicUrl}/contact`, {
      form: { _csrf: csrf, email: 'pas une adresse', mobile: '514', lang: 'fr', 'mail-consent.granted': 'yes' },
    });
    expect(invalid.status).toBe(400);
    const errors = await invalid.text();
    expect(errors).toContain('govuk-error-summary');
    expect(errors).toContain('<a href="#email">Saisissez une adresse courriel valide');
    expect(errors).toContain('<a href="#mobile">Saisissez un numéro de cellulaire');
    expect(errors).toMatch(/id="email-error" class="govuk-error-message"/);
    expect(errors).toContain('class="govuk-input govuk-input--error"');
    // What was typed is shown again.
    expect(errors).toContain('value="pas une adresse"');

    const saved = await client.request(`${gateway.publicUrl}/contact`, {
      form: {
        _csrf: csrf,
        email: 'Luc.Gagnon@Example.ORG',
        mobile: '',
        lang: 'en',
        'mail-consent-request.created': 'yes',
        'mail-consent.revoked': 'yes',
      },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/contact?done=sent');
    const waiting = await (await client.request(`${gateway.publicUrl}/contact?done=sent`)).text();
    expect(waiting).toContain('govuk-notification-banner--success');
    // The portal speaks the visitor's language (French here); the messages, the one chosen for them.
    expect(waiting).toContain('En attente de confirmation');
    expect(waiting).toContain('Luc.Gagnon@example.org');

    const confirmation = await waitForMail('Luc.Gagnon@example.org', 'Confirm your email address');
    const link = new URL(/https:\/\/\S+/.exec(confirmation.text)?.[0] ?? '');
    expect(`${link.origin}${link.pathname}`).toBe(`${PORTAL}/contact/confirm`);

    // Signed out, the link asks to sign in first, to come back to it, and confirms nothing.
    const anonymous = await new WebClient().request(`${gateway.publicUrl}/contact/confirm${link.search}`);
    expect(anonymous.status).toBe(200);
    const back = encodeURIComponent(`/contact/confirm${link.search}`);
    expect(await anonymous.text()).toContain(`href="/auth/login?back=${back}"`);
    expect(await contacts.get('demo-citizen-5')).toMatchObject({ pendingEmail: 'Luc.Gagnon@example.org' });
    expect((await contacts.get('demo-citizen-5')).email).not.toBe('Luc.Gagnon@example.org');

    const wrong = await client.request(`${gateway.publicUrl}/contact/confirm?token=${'B'.repeat(43)}`);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Ce lien de confirmation n’est pas valide ou a déjà servi.');

    const confirmed = await client.request(`${gateway.publicUrl}/contact/confirm${link.search}`);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/contact?done=confirmed');
    const done = await (await client.request(`${gateway.publicUrl}/contact?done=confirmed`)).text();
    expect(done).toContain('Votre adresse courriel est confirmée.');
    expect(done).toMatch(/Luc\.Gagnon@example\.org\s*<strong class="govuk-tag govuk-tag--green">Confirmée<\/strong>/);
    expect(await contacts.get('demo-citizen-5')).toMatchObject({
      email: 'Luc.Gagnon@example.org',
      emailConfirmed: true,
      lang: 'en',
      mailEvents: ['consent-request.created', 'consent.revoked'],
      smsEvents: [],
    });
  });
});
