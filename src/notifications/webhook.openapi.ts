import type { ApiPart, JsonObject } from '../platform/openapi/api-operation';
import { jsonResponse, nullable, schemaRef, TIMESTAMP, UUID } from '../platform/openapi/api-operation';
import { JWS_RULE } from '../platform/openapi/reference-text';
import { goesByWebhook } from './notification-dispatcher';
import { OUTBOX_EVENT_TYPES, type OutboxEventType } from './outbox-events';

const CITIZEN = { type: 'string', description: 'The citizen, by your sector identifier' };
/** The outbox row's number (a bigint, sent as a string of digits): the same on every attempt. */
const EVENT_ID = { type: 'string', pattern: '^[0-9]+$', description: 'The event’s number in the gateway’s outbox' };

/** What `data` holds, by event type (outbox-events.ts), the citizen as the receiver names them. */
function dataOf(type: OutboxEventType): JsonObject {
  if (type === 'product.changed') {
    return {
      type: 'object',
      description: 'No data: fetch it through POST /v1/exchanges, consented and audited as always',
      required: ['changeId', 'product', 'changedAt', 'purpose'],
      properties: {
        changeId: UUID,
        product: { type: 'string' },
        citizen: CITIZEN,
        changedAt: TIMESTAMP,
        purpose: { type: 'string' },
      },
    };
  }
  if (type.startsWith('consent-request.')) {
    return {
      type: 'object',
      required: ['requestId', 'consentId', 'status', 'purpose'],
      properties: {
        requestId: UUID,
        consentId: UUID,
        citizen: CITIZEN,
        status: { type: 'string', enum: ['approved', 'rejected'] },
        purpose: { type: 'string' },
      },
    };
  }
  return {
    type: 'object',
    required: ['consentId', 'requester', 'purpose', 'products', 'status', 'validFrom', 'validUntil'],
    properties: {
      consentId: UUID,
      citizen: CITIZEN,
      requester: { type: 'string' },
      purpose: { type: 'string' },
      products: { type: 'array', items: { type: 'object', required: ['product'] } },
      status: { type: 'string', examples: ['active', 'revoked', 'expired'] },
      validFrom: TIMESTAMP,
      validUntil: TIMESTAMP,
      predecessorId: nullable(UUID),
      requestId: nullable(UUID),
    },
  };
}

/** One POST the gateway makes to the registered callback URL, per event type that goes by webhook. */
function webhookOf(type: OutboxEventType): JsonObject {
  return {
    post: {
      summary: `The \`${type}\` event`,
      description:
        'Sent from the transactional outbox once the change is committed, and retried with backoff until the ' +
        'receiver answers 2xx; `id` (also the `webhook-id` header) is the same on every attempt: deduplicate on it. ' +
        'Redirects are not followed.',
      parameters: [
        {
          name: 'x-jws-signature',
          in: 'header',
          required: true,
          description: `${JWS_RULE} For a webhook, read “response body” as the body of the gateway’s POST.`,
          schema: { type: 'string' },
        },
        { name: 'webhook-id', in: 'header', required: true, schema: EVENT_ID },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['id', 'type', 'occurredAt', 'data'],
              properties: { id: EVENT_ID, type: { const: type }, occurredAt: TIMESTAMP, data: dataOf(type) },
            },
          },
        },
      },
      responses: { '2XX': { description: 'Received' }, default: { description: 'Not received: tried again later' } },
    },
  };
}

const WEBHOOK = {
  type: 'object',
  required: ['organisation', 'url'],
  properties: { organisation: { type: 'string' }, url: { type: 'string', format: 'uri' } },
};

const agency = { listener: 'agency', caller: 'agency', tag: 'agency' } as const;

/** The calling organisation's callback URL for consent events and change notices. */
export const WEBHOOK_API: ApiPart = {
  schemas: { Webhook: WEBHOOK },
  webhooks: Object.fromEntries(OUTBOX_EVENT_TYPES.filter(goesByWebhook).map((type) => [type, webhookOf(type)])),
  operations: [
    {
      ...agency,
      method: 'get',
      path: '/v1/webhook',
      operationId: 'getWebhook',
      summary: 'The registered callback URL (404 when none)',
      responses: { '200': jsonResponse('The callback', schemaRef('Webhook')) },
      errors: [],
    },
    {
      ...agency,
      method: 'put',
      path: '/v1/webhook',
      operationId: 'setWebhook',
      summary: 'Register (or replace) the callback URL',
      description:
        'Events are POSTed there as JSON, signed like exchange answers (`x-jws-signature`), from a transactional ' +
        'outbox, and retried. The URL must be https (http only where the deployment allows it), carry no ' +
        'credentials and not name a loopback, private, link-local or reserved address; a host name is checked ' +
        'again at each delivery.',
      body: {
        // Checked by hand in the controller (the address rules need the deployment's settings): this is its shape.
        schema: {
          type: 'object',
          required: ['url'],
          properties: { url: { type: 'string', format: 'uri', maxLength: 2048 } },
        },
        required: true,
        example: { url: 'https://hooks.afe.example/passerelle' },
      },
      responses: { '200': jsonResponse('The callback', schemaRef('Webhook')) },
      errors: ['invalid-request'],
    },
    {
      ...agency,
      method: 'delete',
      path: '/v1/webhook',
      operationId: 'deleteWebhook',
      summary: 'Stop receiving events',
      responses: { '204': { description: 'Removed (or there was none)' } },
      errors: [],
    },
  ],
};
