import type { ApiPart } from './api-operation';
import { htmlResponse, jsonResponse, pathParameter } from './api-operation';

const HEALTH = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    checks: { type: 'object', additionalProperties: { type: 'string', enum: ['up'] } },
  },
};

const open = { listener: 'public', caller: 'anyone', tag: 'public' } as const;

/** The platform's own public routes: probes, keys and this reference. */
export const PLATFORM_API: ApiPart = {
  operations: [
    {
      ...open,
      method: 'get',
      path: '/health/live',
      operationId: 'live',
      summary: 'The process is up',
      probe: true,
      responses: { '200': jsonResponse('Alive', HEALTH, { status: 'ok' }) },
      errors: [],
    },
    {
      ...open,
      method: 'get',
      path: '/health/ready',
      operationId: 'ready',
      summary: 'The gateway can serve: database reachable, no alarm raised, not shutting down',
      description: 'A 503 `not-ready` names each check that is down in `checks`.',
      probe: true,
      responses: {
        '200': jsonResponse('Ready', HEALTH, { status: 'ok', checks: { database: 'up' } }),
      },
      errors: ['not-ready'],
    },
    {
      ...open,
      method: 'get',
      path: '/.well-known/jwks.json',
      operationId: 'jwks',
      summary: 'The gateway’s public signing keys: verify `x-jws-signature`, receipts and webhooks with them',
      responses: {
        '200': jsonResponse('A JWK set (RFC 7517)', {
          type: 'object',
          required: ['keys'],
          properties: {
            keys: {
              type: 'array',
              items: {
                type: 'object',
                required: ['kty', 'kid'],
                properties: {
                  kty: { type: 'string', const: 'EC' },
                  crv: { type: 'string', const: 'P-256' },
                  kid: { type: 'string' },
                  x: { type: 'string' },
                  y: { type: 'string' },
                  alg: { type: 'string', const: 'ES256' },
                  use: { type: 'string', const: 'sig' },
                },
              },
            },
          },
        }),
      },
      errors: [],
    },
    {
      ...open,
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This document (OpenAPI 3.1)',
      responses: { '200': jsonResponse('The OpenAPI document', { type: 'object', required: ['openapi'] }) },
      errors: ['not-ready'],
    },
    {
      ...open,
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'This reference, browsable (Swagger UI, served locally)',
      responses: { '200': htmlResponse('The reference page') },
      errors: [],
    },
    {
      ...open,
      method: 'get',
      path: '/docs/assets/init.js',
      operationId: 'docsInit',
      summary: 'The reference page’s start-up script',
      responses: {
        '200': { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } },
      },
      errors: [],
    },
    {
      ...open,
      method: 'get',
      path: '/docs/assets/{name}',
      operationId: 'docsAsset',
      summary: 'The reference page’s assets (Swagger UI’s script and stylesheet)',
      parameters: [
        pathParameter('name', 'The asset', { type: 'string', enum: ['swagger-ui.css', 'swagger-ui-bundle.js'] }),
      ],
      responses: {
        '200': {
          description: 'The asset',
          content: {
            'text/css': { schema: { type: 'string' } },
            'text/javascript': { schema: { type: 'string' } },
          },
        },
      },
      errors: [],
    },
  ],
};
