import { describeErrorCode, type ErrorCode } from '../errors/error-codes';
import { buildProblem, PROBLEM_CONTENT_TYPE, problemTypeUri } from '../errors/problem';
import type { ApiOperation, JsonObject } from './api-operation';
import { schemaRef } from './api-operation';

/**
 * Every code, once. A Record rather than an array so that the compiler
 * rejects a code added to ErrorCode and forgotten here; the statuses and
 * titles are read from describeErrorCode, never written twice.
 */
const EVERY_CODE: Record<ErrorCode, true> = {
  'client-certificate-required': true,
  'client-certificate-invalid': true,
  'client-not-registered': true,
  'client-suspended': true,
  unauthorized: true,
  forbidden: true,
  'idp-unavailable': true,
  'not-found': true,
  'method-not-allowed': true,
  'product-not-found': true,
  'purpose-not-allowed': true,
  'consent-required': true,
  'invalid-request': true,
  'validation-failed': true,
  'consent-not-active': true,
  'request-already-decided': true,
  'idempotency-key-reused': true,
  'payload-too-large': true,
  'request-timeout': true,
  'unsupported-media-type': true,
  'not-acceptable': true,
  'rate-limited': true,
  overloaded: true,
  'source-unavailable': true,
  'source-timeout': true,
  'source-contract-violation': true,
  'source-error': true,
  'source-record-not-found': true,
  'audit-unavailable': true,
  'database-unavailable': true,
  'not-ready': true,
  'internal-error': true,
};

export const ERROR_CODES = Object.keys(EVERY_CODE) as ErrorCode[];

/** The codes whose answer carries Retry-After (the problem filter writes it from the error). */
const RETRIED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'rate-limited',
  'overloaded',
  'source-unavailable',
  'audit-unavailable',
  'database-unavailable',
  'idp-unavailable',
  'not-ready',
]);

/** What every route of a listener can answer, before its own logic runs (see request-hooks and http-servers). */
export function platformErrors(operation: ApiOperation): ErrorCode[] {
  const codes: ErrorCode[] = [
    // A malformed percent-escape in the path or query, and the route asked for on the other listener.
    'invalid-request',
    'not-found',
    'internal-error',
  ];
  if (operation.probe !== true) codes.push('overloaded');
  if (operation.listener === 'agency') {
    // The socket's certificate is checked on every request, then the organisation's rate limit.
    codes.push(
      'client-certificate-required',
      'client-certificate-invalid',
      'client-not-registered',
      'client-suspended',
      'rate-limited',
      'database-unavailable',
    );
  }
  if (operation.caller === 'citizen' || operation.caller === 'officer') codes.push('unauthorized', 'idp-unavailable');
  if (operation.caller === 'officer') codes.push('forbidden');
  if (operation.body !== undefined) {
    // Malformed JSON, nesting too deep or a duplicated member (400), too large, not JSON.
    codes.push('payload-too-large', 'unsupported-media-type');
    if (operation.listener === 'public') codes.push('request-timeout');
  }
  return codes;
}

/** The shared problem document (RFC 9457) with the gateway's members. */
export const PROBLEM_SCHEMA: JsonObject = {
  type: 'object',
  description:
    'An RFC 9457 problem document. `code` is stable and meant for programs; `title` and `detail` are for people. ' +
    'Quote `correlationId` to support: it is also the `x-correlation-id` header and the id in the gateway logs.',
  required: ['type', 'title', 'status', 'code', 'correlationId'],
  properties: {
    type: { type: 'string', description: '`urn:passerelle:problem:<code>`', examples: [problemTypeUri('not-found')] },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', enum: ERROR_CODES },
    correlationId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'For `invalid-request`: each member at fault, by JSON pointer (or `query:<name>`, `header:<name>`)',
      items: {
        type: 'object',
        required: ['pointer', 'message'],
        properties: { pointer: { type: 'string' }, message: { type: 'string' } },
      },
    },
    checks: {
      type: 'object',
      description: 'For `not-ready`: each check that is down',
      additionalProperties: { type: 'string', enum: ['down'] },
    },
  },
};

const EXAMPLE_CORRELATION_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const CORRELATION_HEADER = { $ref: '#/components/headers/CorrelationId' };
const RETRY_AFTER_HEADER = { $ref: '#/components/headers/RetryAfter' };

/** One response per status, listing the codes that answer with it, each with an example. */
export function problemResponses(codes: readonly ErrorCode[], asPage: boolean): Record<string, JsonObject> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const { status } = describeErrorCode(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, JsonObject> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = group.map((code) => `\`${code}\` (${describeErrorCode(code).title})`).join('; ');
    const headers: Record<string, JsonObject> = { 'x-correlation-id': CORRELATION_HEADER };
    if (group.some((code) => RETRIED.has(code))) headers['Retry-After'] = RETRY_AFTER_HEADER;
    if (group.includes('unauthorized')) {
      headers['WWW-Authenticate'] = {
        description: 'RFC 6750: `Bearer realm="passerelle"`',
        schema: { type: 'string' },
      };
    }
    if (asPage) {
      // The portal answers a person with a page in their language; the code stays in the log.
      responses[String(status)] = {
        description: `An error page. Cause: ${list}`,
        headers,
        content: { 'text/html': { schema: { type: 'string' } } },
      };
      continue;
    }
    responses[String(status)] = {
      description: list,
      headers,
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: {
            allOf: [schemaRef('Problem')],
            properties: { status: { const: status }, code: { enum: group } },
          },
          examples: Object.fromEntries(
            group.map((code) => [
              code,
              { summary: describeErrorCode(code).title, value: buildProblem(code, EXAMPLE_CORRELATION_ID) },
            ]),
          ),
        },
      },
    };
  }
  return responses;
}
