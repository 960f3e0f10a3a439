import type { Agent } from 'undici';
import { AuditOffice, type AccessEntry, type AuditEvent } from '../src/audit/audit-office.service';
import { DAY_MS } from '../src/audit/disclosure';
import { mintDevToken } from '../src/citizen-auth/dev-idp/dev-token';
import { PRIVACY_OFFICER_ROLE } from '../src/citizen-auth/roles';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, devIdpKey, TEST_AUDIENCE } from './support/citizen-tokens';
import { startPortalGateway, type PortalGateway } from './support/portal-gateway';
import { WebClient } from './support/web-client';

const CITIZEN = 'demo-citizen-3';
const CASE = 'MESS-2026-000417';
const MESS_LAW = "Loi sur l'aide aux personnes et aux familles, RLRQ c. A-13.1.1, art. 65";
const RRQ_LAW = 'Loi sur le régime de rentes du Québec, RLRQ c. R-9, art. 71';
const CONTROL = { product: 'revenu.avis-cotisation', version: 1, purpose: 'mess.controle-admissibilite' };
const INQUIRY = { product: 'saaq.adresse', version: 1, purpose: 'retraite-qc.enquete' };
const NOTICE = { product: 'revenu.avis-cotisation', version: 1, purpose: 'afe.calcul-aide' };

/** Text as the portal writes it into a page. */
const escaped = (text: string): string => text.replace(/'/g, '&#39;');
/** The first table row of a page that contains `text`. */
const rowWith = (page: string, text: string): string =>
  page
    .split('<tr class="govuk-table__row">')
    .slice(1)
    .map((row) => row.split('</tr>')[0])
    .find((row) => row.includes(text)) ?? '';

/**
 * Accesses a law allows, as the citizen and the officer see them: the basis,
 * the statute's reference and the agency's case in the access log at once,
 * and an access under a disclosure delay only once the delay has run out.
 */
describe('Statute-based accesses in the access log and the officer’s search', () => {
  let gateway: PortalGateway;
  let agents: Record<'afe' | 'mess' | 'retraite-qc', Agent>;
  let office: AuditOffice;
  let control: AgencyResponse;
  let inquiry: AgencyResponse;
  let refused: AgencyResponse;

  const exchange = (agency: keyof typeof agents, body: Record<string, unknown>): Promise<AgencyResponse> =>
    call(agents[agency], `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, citizen: citizenIdOf(agency, CITIZEN) }),
    });
  const token = async (subject: string, roles: string[] = []): Promise<string> =>
    mintDevToken(await devIdpKey(), { issuer: gateway.issuer, audience: TEST_AUDIENCE, subject, roles });
  const accessLog = async (): Promise<AccessEntry[]> => {
    const response = await fetch(`${gateway.publicUrl}/v1/me/access-log`, { headers: bearer(await token(CITIZEN)) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { entries: AccessEntry[] }).entries;
  };
  const officerSearch = async (query: string): Promise<Response> =>
    fetch(`${gateway.publicUrl}/v1/audit/events?${query}`, {
      headers: bearer(await token('demo-officer', [PRIVACY_OFFICER_ROLE])),
    });
  const eventsOf = async (query: string): Promise<AuditEvent[]> => {
    const response = await officerSearch(query);
    expect(response.status).toBe(200);
    return ((await response.json()) as { events: AuditEvent[] }).events;
  };
  const outcomeOf = (events: AuditEvent[], response: AgencyResponse): AuditEvent | undefined =>
    events.find((e) => e.kind === 'exchange.outcome' && e.correlationId === response.headers['x-correlation-id']);

  beforeAll(async () => {
    gateway = await startPortalGateway();
    agents = {
      afe: agencyAgent(gateway.certsDir, 'afe'),
      mess: agencyAgent(gateway.certsDir, 'mess'),
      'retraite-qc': agencyAgent(gateway.certsDir, 'retraite-qc'),
    };
    office = gateway.gateway.app.get(AuditOffice, { strict: false });
    // A consent purpose with no consent (refused), a statute with its case, a statute under a 90-day delay.
    refused = await exchange('afe', { ...NOTICE, caseRef: 'AFE-77' });
    control = await exchange('mess', { ...CONTROL, caseRef: CASE });
    inquiry = await exchange('retraite-qc', INQUIRY);
  });

  afterAll(async () => {
    await Promise.all(Object.values(agents ?? {}).map((agent) => agent.close()));
    await gateway?.stop();
  });

  it('serves both statute exchanges without a consent, and refuses the consent one without it', () => {
    expect(control.status).toBe(200);
    expect(inquiry.status).toBe(200);
    expect(refused.status).toBe(403);
  });

  it('lists a statute access for the citizen with its basis, the statute’s reference and the agency’s case', async () => {
    const entries = await accessLog();
    expect(entries.filter((e) => e.purpose === CONTROL.purpose)).toEqual([
      expect.objectContaining({
        organisation: 'mess',
        product: CONTROL.product,
        decision: 'allow',
        basis: 'statute',
        legalReference: MESS_LAW,
        caseRef: CASE,
      }),
    ]);
    expect(entries.find((e) => e.purpose === NOTICE.purpose)).toMatchObject({
      organisation: 'afe',
      decision: 'deny',
      basis: 'consent',
      legalReference: null,
      caseRef: 'AFE-77',
    });
  });

  it('keeps an access under a disclosure delay from the citizen while the officer sees it at once, with its date', async () => {
    expect((await accessLog()).filter((e) => e.purpose === INQUIRY.purpose)).toEqual([]);

    const events = await eventsOf(`citizen=${CITIZEN}&purpose=${INQUIRY.purpose}`);
    expect(events.map((e) => e.kind)).toEqual(['exchange.intent', 'exchange.outcome']);
    for (const event of events) {
      expect(event.details).toMatchObject({ basis: 'statute', legalReference: RRQ_LAW, disclosureDelayDays: 90 });
      expect(event.disclosedFrom).toBe(new Date(Date.parse(event.recordedAt) + 90 * DAY_MS).toISOString());
    }
    // A statute access without a delay carries no date.
    const plain = outcomeOf(await eventsOf(`citizen=${CITIZEN}&purpose=${CONTROL.purpose}`), control);
    expect(plain).toBeDefined();
    expect(plain).not.toHaveProperty('disclosedFrom');
  });

  it('shows the delayed access to the citizen from the instant the delay has run out, not a millisecond before', async () => {
    const [outcome] = (await eventsOf(`citizen=${CITIZEN}&purpose=${INQUIRY.purpose}&decision=allow`)).filter(
      (e) => e.kind === 'exchange.outcome',
    );
    const from = Date.parse(outcome.disclosedFrom ?? '');
    const inquiriesAt = async (now: number): Promise<AccessEntry[]> =>
      (await office.accessLog(CITIZEN, Number.MAX_SAFE_INTEGER, 200, new Date(now))).filter(
        (e) => e.purpose === INQUIRY.purpose,
      );

    expect(await inquiriesAt(from - 1)).toEqual([]);
    expect(await inquiriesAt(from)).toEqual([expect.objectContaining({ seq: outcome.seq })]);
    const later = await inquiriesAt(Date.now() + 91 * DAY_MS);
    expect(later).toEqual([
      expect.objectContaining({
        seq: outcome.seq,
        organisation: 'retraite-qc',
        product: INQUIRY.product,
        decision: 'allow',
        basis: 'statute',
        legalReference: RRQ_LAW,
        caseRef: null,
      }),
    ]);
    // The other accesses are there too, in the same order: the delay hides one record, nothing else.
    const now = (await accessLog()).map((e) => e.seq);
    expect((await office.accessLog(CITIZEN, Number.MAX_SAFE_INTEGER, 200, new Date(from))).map((e) => e.seq)).toEqual(
      [outcome.seq, ...now].sort((a, b) => b - a),
    );
  });

  it('filters the officer’s search by basis', async () => {
    const statute = await eventsOf(`citizen=${CITIZEN}&basis=statute`);
    expect(statute.length).toBeGreaterThanOrEqual(4);
    expect(statute.every((e) => e.details?.basis === 'statute')).toBe(true);
    expect(outcomeOf(statute, control)).toBeDefined();
    expect(outcomeOf(statute, inquiry)).toBeDefined();

    const consent = await eventsOf(`citizen=${CITIZEN}&basis=consent`);
    expect(consent.every((e) => e.details?.basis === 'consent')).toBe(true);
    expect(outcomeOf(consent, refused)).toBeDefined();
    expect(outcomeOf(consent, control)).toBeUndefined();

    const bad = await officerSearch('basis=law');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await bad.json()) as { errors: unknown[] }).errors).toEqual([
      { pointer: 'query:basis', message: 'is invalid' },
    ]);
  });

  it('exports the basis as the CSV’s last column', async () => {
    const response = await fetch(`${gateway.publicUrl}/v1/audit/events/export?format=csv&basis=statute&org=mess`, {
      headers: bearer(await token('demo-officer', [PRIVACY_OFFICER_ROLE])),
    });
    expect(response.status).toBe(200);
    const [header, ...rows] = (await response.text()).trim().split('\n');
    expect(header.split(',').at(-1)).toBe('basis');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((row) => row.endsWith(',statute'))).toBe(true);
  });

  it('shows the citizen’s history with the basis in plain words and the case, in both languages', async () => {
    const client = new WebClient();
    await client.follow(`${gateway.publicUrl}/auth/login`, CITIZEN);
    const french = await (await client.request(`${gateway.publicUrl}/history`)).text();
    expect(french).toContain('« Vous l’avez autorisé » : vous avez donné une autorisation');
    const control = rowWith(french, CASE);
    expect(control).toContain(`Une loi le permet : ${escaped(MESS_LAW)}`);
    expect(control).toContain(escaped("Contrôle de l'admissibilité à l'aide sociale"));
    expect(rowWith(french, 'AFE-77')).toContain('Vous l’avez autorisé');
    // The investigation is not there yet.
    expect(french).not.toContain('Enquête sur une rente');
    expect(french).not.toContain(escaped(RRQ_LAW));

    await client.request(`${gateway.publicUrl}/lang?to=en&back=/history`);
    const english = await (await client.request(`${gateway.publicUrl}/history`)).text();
    expect(english).toContain('“You allowed it”: you gave a permission');
    expect(rowWith(english, CASE)).toContain(`A law allows it: ${escaped(MESS_LAW)}`);
    expect(rowWith(english, 'AFE-77')).toContain('You allowed it');
  });

  it('shows the officer the basis filter, each event’s basis and reference, and the delayed ones marked', async () => {
    const client = new WebClient();
    await client.follow(`${gateway.publicUrl}/auth/login`, 'demo-officer');
    const search = await client.request(`${gateway.publicUrl}/officer/audit?citizen=${CITIZEN}&basis=statute`);
    expect(search.status).toBe(200);
    const page = await search.text();
    expect(page).toContain('<option value="statute" selected>Loi</option>');
    expect(page).toContain(`/officer/audit/export.csv?citizen=${CITIZEN}&amp;basis=statute`);
    expect(page).not.toContain('Autorisation du citoyen</td>');
    const [outcome] = (await eventsOf(`citizen=${CITIZEN}&purpose=${INQUIRY.purpose}&decision=allow`)).filter(
      (e) => e.kind === 'exchange.outcome',
    );
    const delayed = rowWith(page, `>${outcome.seq}</a>`);
    expect(delayed).toContain(escaped(RRQ_LAW));
    expect(delayed).toMatch(/Montré au citoyen à partir du \d{1,2} \S+ \d{4}/);
    const plain = rowWith(page, escaped("Contrôle de l'admissibilité à l'aide sociale"));
    expect(plain).toContain(escaped(MESS_LAW));
    expect(plain).not.toContain('Montré au citoyen');

    const detail = await (await client.request(`${gateway.publicUrl}/officer/audit/${outcome.seq}`)).text();
    expect(detail).toMatch(/<div class="govuk-inset-text">Montré au citoyen à partir du [^<]+<\/div>/);
    expect(detail).toContain(outcome.disclosedFrom);

    await client.request(`${gateway.publicUrl}/lang?to=en&back=/`);
    const english = await (
      await client.request(`${gateway.publicUrl}/officer/audit?citizen=${CITIZEN}&basis=statute`)
    ).text();
    expect(rowWith(english, `>${outcome.seq}</a>`)).toMatch(/Shown to the citizen from [A-Z][a-z]+ \d{1,2}, \d{4}/);
  });
});
