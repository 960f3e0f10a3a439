import type { ApiPart } from '../platform/openapi/api-operation';
import { jsonResponse, nullable, pathParameter, schemaRef, TIMESTAMP, UUID } from '../platform/openapi/api-operation';
import { APPROVAL_SCHEMA } from './approval';
import { RECEIPT_MEDIA_TYPE } from './consent-receipt';
import { TERMS_PROPERTIES } from './consent-terms';
import { GRANT_SCHEMA } from './me-consents.controller';

const PRODUCTS = {
  type: 'array',
  items: {
    type: 'object',
    required: ['product'],
    properties: {
      product: { type: 'string' },
      fields: { type: 'array', items: { type: 'string' }, description: 'Narrower than the contract, when given' },
    },
  },
};

const CONSENT = {
  type: 'object',
  required: [
    'id',
    'citizen',
    'requester',
    'purpose',
    'products',
    'validFrom',
    'validUntil',
    'mode',
    'keepUpToDate',
    'status',
    'createdAt',
    'decidedAt',
    'revokedAt',
    'revokedBy',
    'predecessorId',
    'successorId',
    'requestId',
    'useCount',
    'lastUsedAt',
  ],
  properties: {
    id: UUID,
    citizen: { type: 'string', description: 'The citizen’s pivot id' },
    requester: { type: 'string' },
    purpose: { type: 'string' },
    products: PRODUCTS,
    validFrom: TIMESTAMP,
    validUntil: TIMESTAMP,
    mode: TERMS_PROPERTIES.mode,
    keepUpToDate: { type: 'boolean' },
    status: { type: 'string', enum: ['pending', 'active', 'refused', 'revoked', 'expired'] },
    createdAt: TIMESTAMP,
    decidedAt: nullable(TIMESTAMP),
    revokedAt: nullable(TIMESTAMP),
    revokedBy: nullable({ type: 'string' }),
    predecessorId: nullable(UUID),
    successorId: { ...nullable(UUID), description: 'Set on a record that a later one superseded' },
    requestId: { ...nullable(UUID), description: 'The agency’s consent request this answers, if any' },
    useCount: { type: 'integer', minimum: 0 },
    lastUsedAt: nullable(TIMESTAMP),
  },
};

const CONSENT_REQUEST = {
  type: 'object',
  required: [
    'id',
    'requester',
    'citizen',
    'purpose',
    'products',
    'validUntil',
    'mode',
    'keepUpToDate',
    'message',
    'status',
    'createdAt',
    'decidedAt',
    'consentId',
  ],
  properties: {
    id: UUID,
    requester: { type: 'string' },
    citizen: { type: 'string', description: 'As the reader names the citizen: an agency reads its sector identifier' },
    purpose: { type: 'string' },
    products: PRODUCTS,
    validUntil: nullable(TIMESTAMP),
    mode: TERMS_PROPERTIES.mode,
    keepUpToDate: { type: 'boolean' },
    message: nullable({ type: 'string' }),
    status: { type: 'string', enum: ['pending', 'approved', 'rejected'] },
    createdAt: TIMESTAMP,
    decidedAt: nullable(TIMESTAMP),
    consentId: { ...nullable(UUID), description: 'The consent record the citizen’s answer made' },
  },
};

const DECISION = {
  type: 'object',
  required: ['request', 'consent'],
  properties: { request: schemaRef('ConsentRequest'), consent: schemaRef('Consent') },
};

const ID = pathParameter('id', 'The record’s id (another citizen’s answers 404, like one that does not exist)');

const GRANT_EXAMPLE = {
  requester: 'afe',
  purpose: 'afe.calcul-aide',
  products: ['revenu.avis-cotisation'],
  mode: 'ongoing',
};

const citizen = { listener: 'public', caller: 'citizen', tag: 'citizen' } as const;

/** The citizen's own consents and the requests agencies sent them. */
export const CONSENT_API: ApiPart = {
  schemas: { Consent: CONSENT, ConsentRequest: CONSENT_REQUEST, ConsentGrant: GRANT_SCHEMA },
  operations: [
    {
      ...citizen,
      method: 'get',
      path: '/v1/me/consents',
      operationId: 'listMyConsents',
      summary: 'My consents, each as it stands now (active and past)',
      responses: {
        '200': jsonResponse('My consents', {
          type: 'object',
          required: ['consents'],
          properties: { consents: { type: 'array', items: schemaRef('Consent') } },
        }),
      },
      errors: ['database-unavailable'],
    },
    {
      ...citizen,
      method: 'post',
      path: '/v1/me/consents',
      operationId: 'grantConsent',
      summary: 'Grant a consent to an organisation, for a purpose and products',
      description:
        'A product may be `{"product", "fields"}` to narrow what is released. `validUntil` defaults to the ' +
        'purpose’s longest duration; `mode` to `ongoing`. 422 `validation-failed` names each term the contracts ' +
        'refuse (`errors`); a statute purpose takes no consent (400).',
      body: { schema: schemaRef('ConsentGrant'), required: true, example: GRANT_EXAMPLE },
      responses: { '201': jsonResponse('The consent, active', schemaRef('Consent')) },
      errors: ['invalid-request', 'validation-failed', 'database-unavailable', 'audit-unavailable'],
    },
    {
      ...citizen,
      method: 'get',
      path: '/v1/me/consents/{id}',
      operationId: 'getMyConsent',
      summary: 'One of my consent records',
      parameters: [ID],
      responses: { '200': jsonResponse('The consent', schemaRef('Consent')) },
      errors: ['database-unavailable'],
    },
    {
      ...citizen,
      method: 'post',
      path: '/v1/me/consents/{id}/revoke',
      operationId: 'revokeConsent',
      summary: 'Revoke a consent: in force for every exchange once this answers',
      parameters: [ID],
      responses: { '200': jsonResponse('The successor record, revoked', schemaRef('Consent')) },
      errors: ['consent-not-active', 'database-unavailable', 'audit-unavailable'],
    },
    {
      ...citizen,
      method: 'get',
      path: '/v1/me/consents/{id}/receipt',
      operationId: 'getConsentReceipt',
      summary: 'The signed consent receipt',
      description:
        'A compact JWS (ES256, `kid` in /.well-known/jwks.json) whose payload is a Kantara Consent Receipt 1.1 ' +
        '(JSON), with the record’s lifecycle under `consent`. Verify it like any compact JWS.',
      parameters: [ID],
      responses: {
        '200': {
          description: 'The receipt, as an attachment',
          headers: {
            'Content-Disposition': {
              schema: { type: 'string', examples: ['attachment; filename="consent-receipt.jws"'] },
            },
          },
          content: {
            [RECEIPT_MEDIA_TYPE]: {
              schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
            },
          },
        },
      },
      errors: ['database-unavailable'],
    },
    {
      ...citizen,
      method: 'get',
      path: '/v1/me/consent-requests',
      operationId: 'listMyConsentRequests',
      summary: 'Consent requests agencies sent me, pending first',
      responses: {
        '200': jsonResponse('The requests', {
          type: 'object',
          required: ['requests'],
          properties: { requests: { type: 'array', items: schemaRef('ConsentRequest') } },
        }),
      },
      errors: ['database-unavailable'],
    },
    {
      ...citizen,
      method: 'post',
      path: '/v1/me/consent-requests/{id}/approve',
      operationId: 'approveConsentRequest',
      summary: 'Approve a request: the consent becomes active',
      description:
        'An optional body `{"keepUpToDate": boolean}` says whether the organisation is kept up to date with ' +
        'changes (an ongoing request only); without it, as the organisation asked.',
      parameters: [ID],
      body: { schema: APPROVAL_SCHEMA, required: false, example: { keepUpToDate: true } },
      responses: { '200': jsonResponse('The request, approved, and the consent it made', DECISION) },
      errors: [
        'invalid-request',
        'validation-failed',
        'request-already-decided',
        'database-unavailable',
        'audit-unavailable',
      ],
    },
    {
      ...citizen,
      method: 'post',
      path: '/v1/me/consent-requests/{id}/reject',
      operationId: 'rejectConsentRequest',
      summary: 'Reject a request: the refusal is recorded',
      parameters: [ID],
      responses: { '200': jsonResponse('The request, rejected, and the refused record', DECISION) },
      errors: ['request-already-decided', 'database-unavailable', 'audit-unavailable'],
    },
  ],
};
