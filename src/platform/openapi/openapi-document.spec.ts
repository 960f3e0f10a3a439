import type { ApiOperation } from './api-operation';
import { buildOpenApiDocument, releasedDataSchema } from './openapi-document';
import { problemResponses } from './problem-responses';

const listeners = { agencyPort: 8443, publicUrl: 'http://localhost:8080' };

const operation = (overrides: Partial<ApiOperation> = {}): ApiOperation => ({
  method: 'get',
  path: '/v1/things',
  listener: 'agency',
  caller: 'agency',
  tag: 'agency',
  operationId: 'things',
  summary: 'Things',
  responses: {},
  errors: [],
  ...overrides,
});

type Json = Record<string, unknown>;

describe('buildOpenApiDocument', () => {
  it('adds what the agency listener answers on every route, grouped by status, with the codes listed', () => {
    const document = buildOpenApiDocument({
      version: '1',
      listeners,
      parts: [{ operations: [operation()] }],
      products: [],
    });
    const responses = ((document.paths as Json)['/v1/things'] as Json).get as { responses: Record<string, Json> };
    expect(Object.keys(responses.responses).sort()).toEqual(['400', '401', '403', '404', '429', '500', '503']);
    const forbidden = responses.responses['403'].content as Record<string, { schema: { properties: Json } }>;
    expect(forbidden['application/problem+json'].schema.properties.code).toEqual({
      enum: ['client-not-registered', 'client-suspended'],
    });
    expect(responses.responses['429'].headers).toHaveProperty('Retry-After');
  });

  it('adds the body refusals to a route that takes a body, and the slow-body refusal on the public listener', () => {
    const body = { schema: { type: 'object' }, required: true };
    const document = buildOpenApiDocument({
      version: '1',
      listeners,
      parts: [{ operations: [operation({ method: 'post', listener: 'public', caller: 'citizen', body })] }],
      products: [],
    });
    const post = ((document.paths as Json)['/v1/things'] as Json).post as { responses: Json; security: unknown };
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['401', '408', '413', '415']));
    expect(post.security).toEqual([{ bearer: [] }]);
  });

  it('refuses an operation described twice', () => {
    const parts = [{ operations: [operation()] }, { operations: [operation({ operationId: 'again' })] }];
    expect(() => buildOpenApiDocument({ version: '1', listeners, parts, products: [] })).toThrow(
      'GET /v1/things is described twice',
    );
  });
});

describe('releasedDataSchema', () => {
  it('keeps each field’s schema, drops what the released subset does not keep, and rebases local references', () => {
    const schema = releasedDataSchema({
      product: 'rq.avis',
      version: 2,
      title: { fr: 'Avis', en: 'Notice' },
      schema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        required: ['amount'],
        properties: { amount: { $ref: '#/$defs/money' } },
        $defs: { money: { type: 'integer' } },
      },
    });
    expect(schema).not.toHaveProperty('required');
    expect(schema).not.toHaveProperty('$schema');
    expect(schema.properties).toEqual({ amount: { $ref: '#/components/schemas/Data.rq.avis.v2/$defs/money' } });
  });
});

describe('problemResponses', () => {
  it('answers a portal page’s errors with a page, naming the codes', () => {
    const responses = problemResponses(['forbidden', 'not-found'], true);
    expect(responses['403']).toMatchObject({ content: { 'text/html': { schema: { type: 'string' } } } });
    expect(responses['404'].description).toContain('`not-found`');
  });
});
