/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   the OpenAPI document is read as the JSON it is, member by member. */
import SwaggerParser from '@apidevtools/swagger-parser';
import { describeErrorCode, type ErrorCode } from '../src/platform/errors/error-codes';
import { OpenApiConformance } from './support/openapi-conformance';
import { openApiPathOf, registeredRoutes } from './support/openapi-routes';
import { startTestGateway, type TestGateway } from './support/test-gateway';

type Json = Record<string, any>;

/** The codes an operation's problem responses list, from each response's `code` enum. */
function documentedCodes(operation: Json): Set<string> {
  const codes = new Set<string>();
  for (const [status, response] of Object.entries(operation.responses as Json)) {
    if (Number(status) < 400) continue;
    const schema = response.content?.['application/problem+json']?.schema;
    for (const code of (schema?.properties?.code?.enum as string[] | undefined) ?? []) codes.add(code);
    // A portal page answers errors with a page; its description names the codes.
    for (const [, code] of (response.description as string).matchAll(/`([a-z-]+)`/g)) codes.add(code);
  }
  return codes;
}

describe('The OpenAPI 3.1 reference', () => {
  let gateway: TestGateway;
  let document: Json;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const response = await fetch(`${gateway.publicUrl}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Json;
  });

  afterAll(() => gateway.stop());

  it('is a valid OpenAPI 3.1 document by swagger-parser', async () => {
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('declares mutual TLS and bearer, and sends each operation to its own listener', () => {
    expect(document.components.securitySchemes.mutualTLS).toMatchObject({ type: 'mutualTLS' });
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const agencyPort = new URL(gateway.agencyUrl).port;
    const exchange = document.paths['/v1/exchanges'].post;
    expect(exchange.security).toEqual([{ mutualTLS: [] }]);
    expect(exchange.servers[0].url).toBe('https://{host}:{port}');
    expect(exchange.servers[0].variables.port.default).toBe(agencyPort);
    const consents = document.paths['/v1/me/consents'].get;
    expect(consents.security).toEqual([{ bearer: [] }]);
    expect(consents.servers[0].url).toBe(`http://localhost:${new URL(gateway.publicUrl).port}`);
    for (const item of Object.values(document.paths as Json)) {
      for (const operation of Object.values(item as Json)) {
        expect(Array.isArray(operation.security)).toBe(true);
        expect(operation.servers).toHaveLength(1);
      }
    }
  });

  it('describes the signature header with its exact rule, and links each product’s schema from the exchange', () => {
    const ok = document.paths['/v1/exchanges'].post.responses['200'];
    expect(ok.headers['x-jws-signature']).toEqual({ $ref: '#/components/headers/JwsSignature' });
    expect(document.components.headers.JwsSignature.description).toContain('base64url-encoded');
    const answer = document.components.schemas.ExchangeAnswer;
    for (const contract of gateway.gateway.catalogue.contracts) {
      const name = `Data.${contract.product}.v${contract.version}`;
      expect(document.components.schemas[name]).toBeDefined();
      expect(answer.allOf).toContainEqual({
        if: { properties: { product: { const: contract.product }, version: { const: contract.version } } },
        then: { properties: { data: { $ref: `#/components/schemas/${name}` } } },
      });
    }
  });

  it('describes the webhooks an agency receives, signed like the answers', () => {
    expect(Object.keys(document.webhooks as Json).sort()).toEqual([
      'consent-request.approved',
      'consent-request.rejected',
      'consent.expired',
      'consent.granted',
      'consent.revoked',
      'product.changed',
    ]);
    const changed = document.webhooks['product.changed'].post;
    expect(changed.parameters).toContainEqual(expect.objectContaining({ name: 'x-jws-signature', required: true }));
    expect(changed.requestBody.content['application/json'].schema.properties.type).toEqual({
      const: 'product.changed',
    });
  });

  it('describes every route the application registers, and nothing it does not', () => {
    // HEAD is answered from each GET's handler (Fastify's exposeHeadRoutes): the GET documents it.
    const routes = registeredRoutes(gateway.gateway.servers.fastify).filter((route) => route.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(60);
    const registered = routes.map((route) => `${route.method} ${openApiPathOf(route.url)}`).sort();
    const documented = Object.entries(document.paths as Json)
      .flatMap(([path, item]) => Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
  });

  it('lists, for every operation, the problems the platform adds to each route, and every status by its code', () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        const codes = documentedCodes(operation);
        const expected: ErrorCode[] = ['internal-error', 'invalid-request', 'not-found'];
        if (!path.startsWith('/health/')) expected.push('overloaded');
        if (operation.security.some((s: Json) => 'mutualTLS' in s)) {
          expected.push('client-certificate-required', 'client-not-registered', 'rate-limited');
        }
        if (operation.security.some((s: Json) => 'bearer' in s)) expected.push('unauthorized');
        if (operation.requestBody !== undefined) expected.push('payload-too-large', 'unsupported-media-type');
        if (operation.requestBody !== undefined && !operation.security.some((s: Json) => 'mutualTLS' in s)) {
          expected.push('request-timeout');
        }
        for (const code of expected) if (!codes.has(code)) missing.push(`${method} ${path}: ${code}`);
        for (const code of codes) {
          const status = String(describeErrorCode(code as ErrorCode).status);
          if (operation.responses[status] === undefined) missing.push(`${method} ${path}: ${status} for ${code}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives 429 and 503 answers their Retry-After header, and every problem its correlation header', () => {
    const exchange = document.paths['/v1/exchanges'].post.responses;
    expect(exchange['429'].headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    expect(exchange['503'].headers['Retry-After']).toBeDefined();
    expect(exchange['403'].content['application/problem+json'].schema.properties.code.enum).toEqual(
      expect.arrayContaining(['consent-required', 'purpose-not-allowed', 'client-not-registered']),
    );
    expect(exchange['403'].content['application/problem+json'].examples['consent-required'].value).toMatchObject({
      status: 403,
      code: 'consent-required',
      title: describeErrorCode('consent-required').title,
    });
  });

  it('has a conformance check that refuses answers the document does not describe', async () => {
    const check = await OpenApiConformance.of(document);
    const base = { method: 'POST', url: '/v1/exchanges', headers: { 'content-type': 'application/json' } };
    const signedless = { ...base, status: 200, text: JSON.stringify({ product: 'saaq.adresse' }) };
    expect(check.problemsOf(signedless).join('\n')).toMatch(/x-jws-signature is missing[\s\S]*required property/);
    expect(check.problemsOf({ ...base, status: 418, text: '' })).toEqual([
      'POST /v1/exchanges → 418: status not documented',
    ]);
    const problem = { type: 'urn:x', title: 't', status: 403, code: 'not-a-code', correlationId: 'x' };
    const typed = { ...base, status: 403, headers: { 'content-type': 'application/problem+json' } };
    expect(check.problemsOf({ ...typed, text: JSON.stringify(problem) }).length).toBeGreaterThan(0);
    expect(check.problemsOf({ ...base, method: 'GET', url: '/v1/nowhere', status: 200, text: '' })).toEqual([
      'GET /v1/nowhere is not in the document',
    ]);
  });
});
