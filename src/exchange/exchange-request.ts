import Ajv from 'ajv';
import { DomainError } from '../platform/errors/domain-error';
import { describeSchemaErrors } from '../platform/http/schema-problems';

export interface ExchangeRequest {
  product: string;
  version: number;
  purpose: string;
  citizen: string;
  caseRef?: string;
  /** The consent the agency relies on, when it wants that one checked. */
  consentId?: string;
}

/** The body of POST /v1/exchanges; the API reference publishes this same schema. */
export const EXCHANGE_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['product', 'version', 'purpose', 'citizen'],
  properties: {
    product: { type: 'string', pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$', maxLength: 100 },
    version: { type: 'integer', minimum: 1, maximum: 1000 },
    purpose: { type: 'string', pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$', maxLength: 100 },
    // The caller's sector identifier (base64url), or a pivot id for an organisation still migrating.
    citizen: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' },
    // No control, zero-width or bidirectional characters: the reference is shown in logs and audit views.
    caseRef: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069]+$',
    },
    consentId: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
  },
} as const;

// Compiled once at load; the hot path only calls the generated function.
const validate = new Ajv({ allErrors: true, strict: true }).compile<ExchangeRequest>(EXCHANGE_REQUEST_SCHEMA);

export function parseExchangeRequest(body: unknown): ExchangeRequest {
  if (!validate(body)) {
    throw new DomainError('invalid-request', 'The exchange request does not match its schema', {
      extensions: { errors: describeSchemaErrors(validate.errors ?? []) },
    });
  }
  return body;
}
