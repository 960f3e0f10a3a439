import type { ApiPart, JsonObject } from '../platform/openapi/api-operation';
import { jsonResponse, nullable, schemaRef, TIMESTAMP } from '../platform/openapi/api-operation';

const TITLE = nullable(schemaRef('LocalisedTitle'));

const ACCESS_ENTRY = {
  type: 'object',
  required: [
    'seq',
    'kind',
    'when',
    'organisation',
    'organisationName',
    'product',
    'productTitle',
    'purpose',
    'purposeTitle',
    'decision',
    'basis',
    'legalReference',
    'caseRef',
    'changeId',
    'reason',
    'fields',
  ],
  properties: {
    seq: { type: 'integer' },
    kind: {
      type: 'string',
      enum: ['exchange', 'change-notice', 'own-view', 'own-preview'],
      description:
        '`exchange`: an organisation asked for the data; `change-notice`: it was told the data changed; ' +
        '`own-view` / `own-preview`: the citizen’s own look in the portal',
    },
    when: TIMESTAMP,
    organisation: { type: 'string' },
    organisationName: nullable({ type: 'string' }),
    product: { type: 'string' },
    productTitle: TITLE,
    purpose: nullable({ type: 'string' }),
    purposeTitle: TITLE,
    decision: { type: 'string', examples: ['allow', 'deny', 'error'] },
    basis: nullable({ type: 'string', enum: ['consent', 'statute'] }),
    legalReference: nullable({ type: 'string' }),
    caseRef: nullable({ type: 'string' }),
    changeId: nullable({ type: 'string' }),
    reason: nullable({ type: 'string' }),
    fields: { type: 'array', items: { type: 'string' } },
  },
};

const AUDIT_EVENT = {
  type: 'object',
  required: ['seq', 'kind', 'recordedAt'],
  description: 'A record as stored: the citizen is an HMAC pseudonym, never the pivot id',
  properties: {
    seq: { type: 'integer' },
    recordedAt: TIMESTAMP,
    kind: { type: 'string', examples: ['exchange.outcome'] },
    organisation: { type: 'string' },
    citizen: { type: 'string', description: 'The pseudonym' },
    product: { type: 'string' },
    purpose: { type: 'string' },
    decision: { type: 'string' },
    reason: { type: 'string' },
    correlationId: { type: 'string' },
    details: { type: 'object' },
    disclosedFrom: { ...TIMESTAMP, description: 'When its citizen sees it (a delayed statute access)' },
  },
};

const SEQ_AT = {
  type: 'object',
  required: ['seq', 'at'],
  properties: { seq: { type: 'integer' }, at: TIMESTAMP },
};

const INTEGRITY = {
  type: 'object',
  required: ['ok', 'outcome', 'verified', 'head', 'checkpoints', 'latestCheckpoint', 'signedHead', 'seconds'],
  properties: {
    ok: { type: 'boolean' },
    outcome: {
      type: 'string',
      enum: ['intact', 'broken', 'unverifiable'],
      description: '`unverifiable`: what was read holds, but no signature covers the head',
    },
    verified: { type: 'integer', description: 'Records verified' },
    head: {
      type: 'object',
      required: ['seq', 'hash'],
      properties: { seq: { type: 'integer' }, hash: { type: 'string' } },
    },
    checkpoints: { type: 'integer' },
    latestCheckpoint: nullable(SEQ_AT),
    signedHead: nullable({
      ...SEQ_AT,
      required: ['seq', 'at', 'state'],
      properties: { ...SEQ_AT.properties, state: { type: 'string', enum: ['appending', 'stopped'] } },
    }),
    retained: nullable({ ...SEQ_AT, properties: { ...SEQ_AT.properties, partition: { type: 'string' } } }),
    failure: {
      type: 'object',
      description: 'The first bad record',
      required: ['seq', 'reason'],
      properties: { seq: { type: 'integer' }, reason: { type: 'string' } },
    },
    unverified: { type: 'string' },
    seconds: { type: 'number' },
  },
};

const query = (name: string, description: string, schema: JsonObject = { type: 'string' }): JsonObject => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const FILTERS: JsonObject[] = [
  query('citizen', 'A citizen’s pivot id (matched by its pseudonym)'),
  query('org', 'The organisation'),
  query('product', 'The product'),
  query('purpose', 'The purpose'),
  query('decision', 'The decision', { type: 'string', enum: ['allow', 'deny', 'error'] }),
  query('basis', 'The lawful basis', { type: 'string', enum: ['consent', 'statute'] }),
  query('from', 'From this RFC 3339 time (or date, midnight UTC)'),
  query('to', 'Up to this RFC 3339 time (or date)'),
];

const officer = { listener: 'public', caller: 'officer', tag: 'officer' } as const;

/** What citizens and privacy officers read of the audit log. */
export const AUDIT_API: ApiPart = {
  schemas: { AccessEntry: ACCESS_ENTRY, AuditEvent: AUDIT_EVENT, IntegrityReport: INTEGRITY },
  operations: [
    {
      method: 'get',
      path: '/v1/me/access-log',
      listener: 'public',
      caller: 'citizen',
      tag: 'citizen',
      operationId: 'myAccessLog',
      summary: 'Who asked for my data: when, which organisation, product, purpose, basis and decision',
      description:
        'Newest first, 200 entries a page; `nextBefore` is the `before` of the next page (null at the end). ' +
        'An access under a disclosure delay appears once the delay is over.',
      parameters: [query('before', 'Entries before this seq', { type: 'string', pattern: '^\\d{1,15}$' })],
      responses: {
        '200': jsonResponse('A page of entries', {
          type: 'object',
          required: ['entries', 'nextBefore'],
          properties: {
            entries: { type: 'array', items: schemaRef('AccessEntry') },
            nextBefore: nullable({ type: 'integer' }),
          },
        }),
      },
      errors: ['invalid-request', 'database-unavailable', 'audit-unavailable'],
    },
    {
      ...officer,
      method: 'get',
      path: '/v1/audit/events',
      operationId: 'searchAuditEvents',
      summary: 'Search the audit log; keyset pagination by seq',
      description: 'Every search is itself audited. `nextCursor` is the `cursor` of the next page (null at the end).',
      parameters: [
        ...FILTERS,
        query('cursor', 'The last seq seen', { type: 'string', pattern: '^\\d{1,15}$' }),
        query('limit', 'Page size, 1 to 1000 (100)', { type: 'string', pattern: '^\\d{1,4}$' }),
      ],
      responses: {
        '200': jsonResponse('A page of events', {
          type: 'object',
          required: ['events', 'nextCursor'],
          properties: {
            events: { type: 'array', items: schemaRef('AuditEvent') },
            nextCursor: nullable({ type: 'string' }),
          },
        }),
      },
      errors: ['invalid-request', 'database-unavailable', 'audit-unavailable'],
    },
    {
      ...officer,
      method: 'get',
      path: '/v1/audit/events/export',
      operationId: 'exportAuditEvents',
      summary: 'The matching events as CSV (streamed), or the whole verifiable log as JSON Lines',
      description:
        '`format=jsonl` takes no filter: it is the chain itself, each record with its seq, hashes and canonical ' +
        'payload, up to the last signed head, for `npm run cli -- audit verify-export`.',
      parameters: [...FILTERS, query('format', 'csv (default) or jsonl', { type: 'string', enum: ['csv', 'jsonl'] })],
      responses: {
        '200': {
          description: 'An attachment, streamed',
          headers: { 'Content-Disposition': { schema: { type: 'string' } } },
          content: {
            'text/csv': { schema: { type: 'string' } },
            'application/jsonl': { schema: { type: 'string' } },
          },
        },
      },
      errors: ['invalid-request', 'database-unavailable', 'audit-unavailable'],
    },
    {
      ...officer,
      method: 'get',
      path: '/v1/audit/integrity',
      operationId: 'auditIntegrity',
      summary: 'Verify the whole chain and the signed checkpoints now',
      responses: { '200': jsonResponse('The verification report', schemaRef('IntegrityReport')) },
      errors: ['database-unavailable', 'audit-unavailable'],
    },
  ],
};
