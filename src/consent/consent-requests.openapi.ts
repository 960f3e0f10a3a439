import type { ApiPart } from '../platform/openapi/api-operation';
import { jsonResponse, pathParameter, schemaRef, TIMESTAMP } from '../platform/openapi/api-operation';
import { CONSENT_REQUEST_SCHEMA } from './consent-requests.controller';
import { SUBSCRIPTION_SCHEMA } from './subscriptions.controller';

const agency = { listener: 'agency', caller: 'agency', tag: 'agency' } as const;

const SUBSCRIPTION = {
  type: 'object',
  required: ['product', 'purpose', 'createdAt'],
  properties: { product: { type: 'string' }, purpose: { type: 'string' }, createdAt: TIMESTAMP },
};

const PRODUCT = pathParameter('product', 'The product code', { type: 'string', examples: ['saaq.adresse'] });

const REPLAYED = { 'idempotent-replayed': { $ref: '#/components/headers/IdempotentReplayed' } };

/** Agencies ask citizens for consent, and follow changes to products. */
export const CONSENT_REQUESTS_API: ApiPart = {
  schemas: { ConsentRequestAsk: CONSENT_REQUEST_SCHEMA, Subscription: SUBSCRIPTION },
  operations: [
    {
      ...agency,
      method: 'post',
      path: '/v1/consent-requests',
      operationId: 'requestConsent',
      summary: 'Ask a citizen for consent; the citizen approves or rejects in the portal',
      description:
        'The citizen is named by your sector identifier. A citizen it names nobody, or one you may not ask, is ' +
        'the same 403 `consent-required`. A body that does not match the schema, or a statute purpose, is 400; terms ' +
        'the contracts refuse are 422 `validation-failed`, each named in `errors`. Takes no query string.',
      parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
      body: {
        schema: schemaRef('ConsentRequestAsk'),
        required: true,
        example: {
          citizen: 'kD3v9c2Qe1x8Yb0Lr5Tn7Wm4Hs6Pa2Zu1Jf0Gi9Ok3E',
          purpose: 'afe.calcul-aide',
          products: ['revenu.avis-cotisation'],
          message: 'Pour calculer votre aide financière / To calculate your student aid',
        },
      },
      responses: {
        '201': { ...jsonResponse('The pending request', schemaRef('ConsentRequest')), headers: REPLAYED },
      },
      errors: [
        'invalid-request',
        'validation-failed',
        'consent-required',
        'idempotency-key-reused',
        'audit-unavailable',
      ],
    },
    {
      ...agency,
      method: 'get',
      path: '/v1/consent-requests/{id}',
      operationId: 'getConsentRequest',
      summary: 'A consent request’s status (your own requests only)',
      parameters: [pathParameter('id', 'The request’s id')],
      responses: { '200': jsonResponse('The request', schemaRef('ConsentRequest')) },
      errors: [],
    },
    {
      ...agency,
      method: 'put',
      path: '/v1/subscriptions/{product}',
      operationId: 'subscribe',
      summary: 'Follow changes to a product for a purpose',
      description:
        'Only what the product’s newest contract lets you ask for, for that purpose; anything else is one ' +
        '403 `purpose-not-allowed`, whatever the reason. Notices arrive at your webhook, signed, without data: ' +
        'fetch through POST /v1/exchanges.',
      parameters: [PRODUCT],
      body: { schema: SUBSCRIPTION_SCHEMA, required: true, example: { purpose: 'mess.aide-sociale' } },
      responses: {
        '201': jsonResponse('Subscribed', schemaRef('Subscription')),
        '200': jsonResponse('Already subscribed', schemaRef('Subscription')),
      },
      errors: ['invalid-request', 'purpose-not-allowed'],
    },
    {
      ...agency,
      method: 'get',
      path: '/v1/subscriptions',
      operationId: 'listSubscriptions',
      summary: 'This organisation’s subscriptions',
      responses: {
        '200': jsonResponse('Your subscriptions', {
          type: 'object',
          required: ['subscriptions'],
          properties: { subscriptions: { type: 'array', items: schemaRef('Subscription') } },
        }),
      },
      errors: [],
    },
    {
      ...agency,
      method: 'delete',
      path: '/v1/subscriptions/{product}',
      operationId: 'unsubscribe',
      summary: 'Stop following changes to a product for a purpose',
      parameters: [
        PRODUCT,
        {
          name: 'purpose',
          in: 'query',
          required: true,
          description: 'The purpose of the subscription to remove (the only query parameter)',
          schema: { type: 'string', examples: ['mess.aide-sociale'] },
        },
      ],
      responses: { '204': { description: 'Removed' } },
      errors: [],
    },
  ],
};
