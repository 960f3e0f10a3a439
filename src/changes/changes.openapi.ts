import type { ApiPart } from '../platform/openapi/api-operation';
import { jsonResponse, schemaRef, UUID } from '../platform/openapi/api-operation';
import { CHANGE_BATCH_SCHEMA, CHANGE_SCHEMA } from './change-request';

/** Owners report changes to their products. */
export const CHANGES_API: ApiPart = {
  schemas: { Change: CHANGE_SCHEMA, ChangeBatch: CHANGE_BATCH_SCHEMA },
  operations: [
    {
      method: 'post',
      path: '/v1/changes',
      listener: 'agency',
      caller: 'agency',
      tag: 'agency',
      operationId: 'reportChanges',
      summary: 'Report that a citizen’s product changed, or a batch of up to 10,000 changes',
      description:
        'Only a product’s owner may report changes to it (403 `forbidden` for the whole call otherwise). The ' +
        'citizen is named by your sector identifier; `changedAt` is an RFC 3339 time, not in the future. ' +
        'Subscribers whose basis covers the citizen are told by a signed webhook, without data. This route takes ' +
        'larger bodies than the others (CHANGES_BODY_LIMIT_BYTES). Takes no query string.',
      parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
      body: {
        schema: { oneOf: [schemaRef('Change'), schemaRef('ChangeBatch')] },
        required: true,
        example: {
          product: 'saaq.adresse',
          citizen: 'Zq8m2Lr5Tn7Wm4Hs6Pa2Zu1Jf0Gi9Ok3EkD3v9c2Qe1',
          changedAt: '2026-11-30T09:00:00Z',
        },
      },
      responses: {
        '202': {
          ...jsonResponse('Accepted: notices go out from the outbox', {
            oneOf: [
              { type: 'object', required: ['changeId'], properties: { changeId: UUID } },
              { type: 'object', required: ['changeIds'], properties: { changeIds: { type: 'array', items: UUID } } },
            ],
          }),
          headers: { 'idempotent-replayed': { $ref: '#/components/headers/IdempotentReplayed' } },
        },
      },
      errors: ['invalid-request', 'forbidden', 'idempotency-key-reused', 'audit-unavailable'],
    },
  ],
};
