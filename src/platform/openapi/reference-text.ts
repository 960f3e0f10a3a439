import type { JsonObject } from './api-operation';

/**
 * The exact rule for `x-jws-signature`, as signDetached writes it. Verifying
 * against the raw body as the JWS payload fails: the payload is the body
 * base64url-encoded (RFC 7515 appendix F, not the unencoded RFC 7797 form).
 */
export const JWS_RULE =
  'A detached JWS (RFC 7515 appendix F) in compact form: `<protected header>..<signature>`, ES256, with `kid` in ' +
  'the protected header naming a key of `/.well-known/jwks.json`. The signed payload is the exact response body ' +
  'bytes, base64url-encoded (no padding): to verify, put `BASE64URL(body bytes)` between the two dots and verify ' +
  'the compact JWS `<header>.<payload>.<signature>` (with jose: `flattenedVerify({ protected: header, payload: ' +
  'base64url(body), signature }, key)`). Verify the bytes as received, before parsing them: re-serialised JSON ' +
  'does not verify.';

export const REFERENCE_DESCRIPTION = [
  'Passerelle brokers data between government agencies: an agency asks for a citizen’s data product for a purpose;',
  'the gateway releases it only when the citizen’s consent, or a statute, covers the requester, purpose and product,',
  'and writes every decision to a tamper-evident audit log.',
  '',
  '**Two listeners.** The agency API is served over mutual TLS on the agency listener; citizens, privacy officers,',
  'the portal, health and keys on the public listener. Each operation names its server. A route asked for on the',
  'other listener answers 404 `not-found`.',
  '',
  '**Errors** are `application/problem+json` (RFC 9457) with a stable `code`; every operation lists the codes it',
  'can answer, grouped by status. Every consent failure is the same 403 `consent-required`.',
  '',
  `**Signed answers.** \`x-jws-signature\`: ${JWS_RULE}`,
  '',
  '**Correlation.** Every answer carries `x-correlation-id`, also the `correlationId` of a problem document.',
  '',
  '**Retries.** 429 and 503 answers carry `Retry-After` (seconds). POST /v1/consent-requests and POST /v1/changes',
  'take an `Idempotency-Key`: the same key and body replay the first answer (with `idempotent-replayed: true`); the',
  'same key with another body answers 422 `idempotency-key-reused`.',
].join('\n');

export const SHARED_HEADERS: Record<string, JsonObject> = {
  CorrelationId: {
    description: 'The request’s correlation id (the W3C trace id when tracing is on); quote it to support',
    schema: { type: 'string', pattern: '^[0-9a-f]{32}$' },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again (RFC 9110 §10.2.3)',
    schema: { type: 'integer', minimum: 0 },
  },
  JwsSignature: {
    description: JWS_RULE,
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+$' },
  },
  IdempotentReplayed: {
    description: '`true` when this answer replays the first answer given to the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

export const SHARED_PARAMETERS: Record<string, JsonObject> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      '1 to 255 visible ASCII characters. The same key with the same body replays the first answer; with another ' +
      'body, 422 `idempotency-key-reused`. Keys are per organisation.',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
};
