import { Client } from 'pg';
import { ownerUrlOf } from './setup/test-env';
import type { Agent } from 'undici';
import { AuditLog } from '../src/audit/audit-log';
import type { AccessEntry } from '../src/audit/audit-office.service';
import { mintDevToken } from '../src/citizen-auth/dev-idp/dev-token';
import { Metrics } from '../src/platform/metrics/metrics';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, devIdpKey, TEST_AUDIENCE } from './support/citizen-tokens';
import { startPortalGateway, type PortalGateway } from './support/portal-gateway';
import { WebClient } from './support/web-client';

/** The citizen's pivot id: how they sign in, and what the audit pseudonymises. */
const CITIZEN = 'demo-citizen-1';
/** How `afe`, which makes every agency call here, names that citizen. */
const AS_AFE = citizenIdOf('afe', CITIZEN);

/**
 * The problem+json answers the contract step has always given; they must not change, except that a
 * product not found says which one, naming only what the caller sent.
 */
const NOT_FOUND = {
  type: 'urn:passerelle:problem:product-not-found',
  title: 'Data product not found',
  status: 404,
  code: 'product-not-found',
};
const notFound = (product: string, version: number) => ({
  ...NOT_FOUND,
  detail: `No product \`${product}\` version ${version} in your catalogue.`,
});
const NOT_ALLOWED = {
  type: 'urn:passerelle:problem:purpose-not-allowed',
  title: 'Purpose not allowed for this product',
  status: 403,
  code: 'purpose-not-allowed',
};

interface AuditRow {
  seq: string;
  kind: string;
  decision: string | null;
  organisation: string | null;
  product: string | null;
  purpose: string | null;
  citizen_pseudonym: string | null;
  payload: { reason?: string; citizen?: string; details?: Record<string, unknown> };
}

describe('Refusals before the consent check are audited and shown to the citizen, with unchanged answers', () => {
  let gateway: PortalGateway;
  let afe: Agent;
  let db: Client;
  let pseudonym: string;

  const exchange = (body: Record<string, unknown>): Promise<AgencyResponse> =>
    call(afe, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const askConsent = (body: Record<string, unknown>): Promise<AgencyResponse> =>
    call(afe, `${gateway.agencyUrl}/v1/consent-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const recordsOf = async (response: AgencyResponse): Promise<AuditRow[]> =>
    (
      await db.query<AuditRow>(
        `SELECT seq, kind, decision, organisation, product, purpose, citizen_pseudonym, payload
         FROM audit_event WHERE correlation_id = $1 ORDER BY seq`,
        [response.headers['x-correlation-id']],
      )
    ).rows;
  /** What the caller can see of an answer, less what differs by request. */
  const visible = (response: AgencyResponse) => {
    const { correlationId: _c, ...body } = response.body as Record<string, unknown>;
    const { 'x-correlation-id': _x, date: _d, ...headers } = response.headers;
    return { status: response.status, body, headers };
  };
  const accessLog = async (): Promise<AccessEntry[]> => {
    // A token of the IdP this gateway trusts, as `npm run cli -- dev token` mints them.
    const token = await mintDevToken(await devIdpKey(), {
      issuer: gateway.issuer,
      audience: TEST_AUDIENCE,
      subject: CITIZEN,
      roles: [],
    });
    const response = await fetch(`${gateway.publicUrl}/v1/me/access-log`, { headers: bearer(token) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { entries: AccessEntry[] }).entries;
  };

  beforeAll(async () => {
    gateway = await startPortalGateway();
    afe = agencyAgent(gateway.certsDir, 'afe');
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    pseudonym = gateway.gateway.app.get(AuditLog).pseudonymOf(CITIZEN);
  });

  afterAll(async () => {
    await db.end();
    await afe.close();
    await gateway.stop();
  });

  it.each([
    [
      'a product that does not exist',
      { product: 'ramq.dossier-medical', version: 1, purpose: 'afe.calcul-aide' },
      notFound('ramq.dossier-medical', 1),
      'unknown-product',
    ],
    [
      'a version that does not exist',
      { product: 'revenu.avis-cotisation', version: 7, purpose: 'afe.calcul-aide' },
      notFound('revenu.avis-cotisation', 7),
      'unknown-version',
    ],
    [
      'a product the organisation may not have',
      { product: 'saaq.adresse', version: 1, purpose: 'afe.calcul-aide' },
      notFound('saaq.adresse', 1),
      'product-not-granted',
    ],
    [
      'a purpose the organisation may not use',
      { product: 'revenu.avis-cotisation', version: 1, purpose: 'mess.aide-sociale' },
      NOT_ALLOWED,
      'purpose-not-granted',
    ],
    [
      'a purpose that does not exist',
      { product: 'revenu.avis-cotisation', version: 1, purpose: 'afe.sondage' },
      NOT_ALLOWED,
      'unknown-purpose',
    ],
  ])(
    'refuses %s with the same answer as ever, audits the precise reason and lists it for the citizen',
    async (_what, ask, problem, reason) => {
      const response = await exchange({ ...ask, citizen: AS_AFE });
      expect(response.status).toBe(problem.status);
      expect(visible(response).body).toEqual(problem);

      const records = await recordsOf(response);
      expect(records).toEqual([
        expect.objectContaining({
          kind: 'exchange.outcome',
          decision: 'deny',
          organisation: 'afe',
          product: ask.product,
          purpose: ask.purpose,
          citizen_pseudonym: pseudonym,
          payload: expect.objectContaining({
            reason,
            citizen: pseudonym,
            // The purpose's basis, when the purpose is known: an unknown one has none to name.
            details: {
              version: ask.version,
              answer: problem.code,
              citizenIdentifier: AS_AFE,
              ...(ask.purpose === 'afe.sondage' ? {} : { basis: 'consent' }),
            },
          }),
        }),
      ]);
      // The citizen's id is stored only as its pseudonym.
      expect(JSON.stringify(records)).not.toContain(CITIZEN);

      const entry = (await accessLog()).find((e) => e.seq === Number(records[0].seq));
      expect(entry).toMatchObject({
        organisation: 'afe',
        organisationName: expect.any(String),
        product: ask.product,
        purpose: ask.purpose,
        decision: 'deny',
      });
    },
  );

  it('answers a product that does not exist and one the organisation may not have alike, status, body and headers', async () => {
    const answers = await Promise.all(
      [
        { product: 'ramq.dossier-medical', version: 1 },
        { product: 'revenu.avis-cotisation', version: 7 },
        { product: 'saaq.adresse', version: 1 },
      ].map(async (ask) => {
        const answer = visible(await exchange({ ...ask, purpose: 'afe.calcul-aide', citizen: AS_AFE }));
        // The detail repeats what was asked, and only that: the rest of it must be the same for all three,
        // and so must the length of the answer, less the length of what it repeats.
        const asked = `\`${ask.product}\` version ${ask.version}`;
        const detail = String(answer.body.detail).replace(asked, '…');
        const length = Number(answer.headers['content-length']) - Buffer.byteLength(asked);
        return {
          ...answer,
          body: { ...answer.body, detail },
          headers: { ...answer.headers, 'content-length': length },
        };
      }),
    );
    expect(answers[0].body).toEqual({ ...NOT_FOUND, detail: 'No product … in your catalogue.' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('keeps the metrics labels to catalogued products, whatever the caller names', async () => {
    await exchange({ product: 'ramq.dossier-medical', version: 1, purpose: 'afe.calcul-aide', citizen: AS_AFE });
    const text = await gateway.gateway.app.get(Metrics).registry.metrics();
    expect(text).toMatch(/passerelle_exchanges_total\{product="unknown",organisation="afe",decision="deny"\} \d+/);
    expect(text).not.toContain('ramq.dossier-medical');
  });

  it('shows the refused request in the portal’s access page', async () => {
    const refused = await exchange({
      product: 'ramq.dossier-medical',
      version: 1,
      purpose: 'afe.calcul-aide',
      citizen: AS_AFE,
    });
    expect(refused.status).toBe(404);
    const client = new WebClient();
    await client.follow(`${gateway.publicUrl}/auth/login`, CITIZEN);
    const page = await (await client.request(`${gateway.publicUrl}/history`)).text();
    const row =
      /<tr class="govuk-table__row">(?:(?!<\/tr>)[\s\S])*ramq\.dossier-medical(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(
        page,
      )?.[0] ?? '';
    expect(row).toContain('Refusé');
    expect(row).toContain('Aide financière aux études');
  });

  it('fails closed: a refusal whose record cannot be written answers 503 audit-unavailable', async () => {
    // Only the owner may take the application's right to append away.
    const owner = new Client({ connectionString: ownerUrlOf(gateway.databaseUrl) });
    await owner.connect();
    await owner.query('REVOKE INSERT ON audit_event FROM passerelle_application');
    try {
      for (const ask of [
        { product: 'saaq.adresse', version: 1, purpose: 'afe.calcul-aide' },
        { product: 'revenu.avis-cotisation', version: 1, purpose: 'mess.aide-sociale' },
      ]) {
        const response = await exchange({ ...ask, citizen: AS_AFE });
        expect(response.status).toBe(503);
        expect((response.body as { code: string }).code).toBe('audit-unavailable');
      }
      const refusedRequest = await askConsent({
        citizen: AS_AFE,
        purpose: 'mess.aide-sociale',
        products: ['revenu.avis-cotisation'],
      });
      expect(refusedRequest.status).toBe(503);
      expect((refusedRequest.body as { code: string }).code).toBe('audit-unavailable');
    } finally {
      await owner.query('GRANT INSERT ON audit_event TO passerelle_application');
      await owner.end();
    }
    const after = await exchange({ product: 'saaq.adresse', version: 1, purpose: 'afe.calcul-aide', citizen: AS_AFE });
    expect(after.status).toBe(404);
  });

  it.each([
    [
      'a purpose it may not use',
      { purpose: 'mess.aide-sociale', products: ['revenu.avis-cotisation'] },
      'purpose-not-granted',
      '/products/0',
    ],
    [
      'a product it may not have',
      { purpose: 'afe.calcul-aide', products: ['saaq.adresse'] },
      'product-not-granted',
      '/products/0',
    ],
    [
      'a product that does not exist',
      { purpose: 'afe.calcul-aide', products: ['ramq.dossier-medical'] },
      'unknown-product',
      '/products/0',
    ],
    [
      'a purpose that does not exist',
      { purpose: 'afe.sondage', products: ['revenu.avis-cotisation'] },
      'unknown-purpose',
      '/purpose',
    ],
  ])(
    'audits a consent request for %s as consent-request.refused, with the same 422',
    async (_what, ask, reason, pointer) => {
      const response = await askConsent({ citizen: AS_AFE, ...ask });
      expect(response.status).toBe(422);
      expect(visible(response).body).toEqual({
        type: 'urn:passerelle:problem:validation-failed',
        title: 'The request is well-formed but cannot be accepted',
        status: 422,
        code: 'validation-failed',
        detail: 'The consent terms cannot be accepted',
        errors: [{ pointer, message: expect.any(String) }],
      });
      expect(await recordsOf(response)).toEqual([
        expect.objectContaining({
          kind: 'consent-request.refused',
          decision: 'deny',
          organisation: 'afe',
          purpose: ask.purpose,
          citizen_pseudonym: pseudonym,
          payload: expect.objectContaining({ reason, details: { products: ask.products } }),
        }),
      ]);
      const pending = await db.query('SELECT 1 FROM consent_request WHERE requester = $1 AND purpose = $2', [
        'afe',
        ask.purpose,
      ]);
      expect(pending.rowCount).toBe(0);
    },
  );
});
