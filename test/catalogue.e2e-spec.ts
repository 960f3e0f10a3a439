import type { Agent } from 'undici';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { startTestGateway, type TestGateway } from './support/test-gateway';
import { checkAgencyAnswers } from './support/openapi-conformance';

interface CatalogueBody {
  organisation: string;
  products: {
    product: string;
    version: number;
    owner: string;
    purposes: { code: string; legalReference: string; fields: string[] }[];
  }[];
}

/** A problem body without the members that differ per request. */
function problemShape(response: AgencyResponse): Record<string, unknown> {
  const { correlationId: _correlationId, instance: _instance, ...rest } = response.body as Record<string, unknown>;
  return { status: response.status, contentType: response.headers['content-type'], ...rest };
}

describe('Catalogue over mutual TLS: each organisation sees only what it may request', () => {
  let gateway: TestGateway;
  let afe: Agent;
  let mess: Agent;

  beforeAll(async () => {
    gateway = await startTestGateway();
    // Every agency answer in this file is checked against the API reference.
    await checkAgencyAnswers(gateway.publicUrl);
    afe = agencyAgent(gateway.certsDir, 'afe');
    mess = agencyAgent(gateway.certsDir, 'mess');
  });

  afterAll(async () => {
    await Promise.all([afe.close(), mess.close()]);
    await gateway.stop();
  });

  const catalogueOf = async (agent: Agent): Promise<CatalogueBody> => {
    const response = await call(agent, `${gateway.agencyUrl}/v1/catalogue`);
    expect(response.status).toBe(200);
    return response.body as CatalogueBody;
  };

  it('lists for afe the birth record and the notice of assessment, with afe purposes and fields only', async () => {
    const body = await catalogueOf(afe);
    expect(body.organisation).toBe('afe');
    expect(body.products.map((p) => `${p.product}@${p.version}`)).toEqual([
      'etat-civil.naissance@1',
      'revenu.avis-cotisation@1',
    ]);
    const notice = body.products.find((p) => p.product === 'revenu.avis-cotisation');
    expect(notice?.owner).toBe('rq');
    expect(notice?.purposes).toHaveLength(1);
    expect(notice?.purposes[0]).toMatchObject({
      code: 'afe.calcul-aide',
      fields: ['taxYear', 'assessmentDate', 'totalIncome', 'netIncome', 'lines'],
    });
    expect(notice?.purposes[0].legalReference.length).toBeGreaterThan(0);
  });

  it('lists for mess the notice of assessment with fewer fields, and the address', async () => {
    const body = await catalogueOf(mess);
    expect(body.organisation).toBe('mess');
    expect(body.products.map((p) => p.product)).toEqual(['revenu.avis-cotisation', 'saaq.adresse']);
    const notice = body.products.find((p) => p.product === 'revenu.avis-cotisation');
    expect(notice?.purposes.map((p) => p.code)).toEqual(['mess.aide-sociale', 'mess.controle-admissibilite']);
    expect(notice?.purposes[0]).toMatchObject({ basis: 'consent', fields: ['taxYear', 'netIncome', 'balance'] });
    // The statute purpose says what an exchange for it needs: its law and a case reference, no consent.
    expect(notice?.purposes[1]).toMatchObject({
      basis: 'statute',
      legalReference: expect.stringContaining('A-13.1.1'),
      caseRefRequired: true,
      fields: ['taxYear', 'assessmentDate', 'totalIncome', 'netIncome'],
    });
    expect(notice?.purposes[1]).not.toHaveProperty('maxConsentDays');
    // Another organisation's rules, and the source's wiring, never show.
    expect(JSON.stringify(body)).not.toContain('afe.calcul-aide');
    expect(JSON.stringify(body)).not.toContain('rq-records');
  });

  it('gives a product version with its JSON Schema, as it applies to the caller', async () => {
    const response = await call(afe, `${gateway.agencyUrl}/v1/catalogue/etat-civil.naissance/versions/1`);
    expect(response.status).toBe(200);
    const body = response.body as CatalogueBody['products'][number] & { schema: Record<string, unknown> };
    expect(body.product).toBe('etat-civil.naissance');
    expect(body.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(body.purposes.map((p) => p.code)).toEqual(['afe.calcul-aide']);
    expect(body.purposes[0].fields).toEqual(['lastName', 'firstNames', 'birthDate']);
    expect(body).not.toHaveProperty('source');
  });

  it('answers a product the caller may not request exactly like one that does not exist', async () => {
    const hidden = await call(afe, `${gateway.agencyUrl}/v1/catalogue/saaq.adresse/versions/1`);
    const missing = await call(afe, `${gateway.agencyUrl}/v1/catalogue/nope.nope/versions/1`);
    const visibleToMess = await call(mess, `${gateway.agencyUrl}/v1/catalogue/saaq.adresse/versions/1`);
    expect(visibleToMess.status).toBe(200);
    expect(hidden.status).toBe(404);
    expect((hidden.body as { code: string }).code).toBe('product-not-found');
    // The detail names the product asked for, and nothing that tells the two apart.
    expect(problemShape(hidden)).toEqual({
      ...problemShape(missing),
      detail: 'No product `saaq.adresse` version 1 in your catalogue.',
    });
    expect(problemShape(missing).detail).toBe('No product `nope.nope` version 1 in your catalogue.');
    expect(hidden.headers['content-language']).toBe(missing.headers['content-language']);
  });

  it.each(['2', '0', '01', 'abc', '1e0', '99999'])('answers version %s of a known product as not found', async (v) => {
    const response = await call(afe, `${gateway.agencyUrl}/v1/catalogue/etat-civil.naissance/versions/${v}`);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((response.body as { code: string }).code).toBe('product-not-found');
  });

  it('is served on the agency listener only', async () => {
    const response = await fetch(`${gateway.publicUrl}/v1/catalogue`);
    expect(response.status).toBe(404);
  });
});
