/**
 * Every error code the gateway can answer with. Each bounded context throws a
 * DomainError carrying one of these; `describeErrorCode` is the single place
 * that maps a code to its HTTP status, and the compiler rejects a missing case.
 */
export type ErrorCode =
  | 'client-certificate-required'
  | 'client-certificate-invalid'
  | 'client-not-registered'
  | 'client-suspended'
  | 'unauthorized'
  | 'forbidden'
  | 'idp-unavailable'
  | 'not-found'
  | 'method-not-allowed'
  | 'product-not-found'
  | 'purpose-not-allowed'
  | 'consent-required'
  | 'invalid-request'
  | 'validation-failed'
  | 'consent-not-active'
  | 'request-already-decided'
  | 'idempotency-key-reused'
  | 'payload-too-large'
  | 'request-timeout'
  | 'unsupported-media-type'
  | 'not-acceptable'
  | 'rate-limited'
  | 'overloaded'
  | 'source-unavailable'
  | 'source-timeout'
  | 'source-contract-violation'
  | 'source-error'
  | 'source-record-not-found'
  | 'audit-unavailable'
  | 'database-unavailable'
  | 'not-ready'
  | 'internal-error';

export interface ErrorDescription {
  status: number;
  title: string;
}

export function describeErrorCode(code: ErrorCode): ErrorDescription {
  switch (code) {
    case 'client-certificate-required':
      return { status: 401, title: 'A valid client certificate is required' };
    case 'client-certificate-invalid':
      return { status: 401, title: 'The client certificate is not acceptable' };
    case 'client-not-registered':
      return { status: 403, title: 'The client certificate is not registered to an organisation' };
    case 'client-suspended':
      return { status: 403, title: 'The organisation is suspended' };
    case 'unauthorized':
      return { status: 401, title: 'A valid bearer token is required' };
    case 'forbidden':
      return { status: 403, title: 'Not allowed' };
    case 'idp-unavailable':
      return { status: 503, title: 'The identity provider cannot be reached' };
    case 'not-found':
      return { status: 404, title: 'Not found' };
    case 'method-not-allowed':
      return { status: 405, title: 'Method not allowed' };
    case 'product-not-found':
      return { status: 404, title: 'Data product not found' };
    case 'purpose-not-allowed':
      return { status: 403, title: 'Purpose not allowed for this product' };
    case 'consent-required':
      return { status: 403, title: 'Consent required' };
    case 'invalid-request':
      return { status: 400, title: 'Invalid request' };
    case 'validation-failed':
      return { status: 422, title: 'The request is well-formed but cannot be accepted' };
    case 'consent-not-active':
      return { status: 409, title: 'The consent is no longer active' };
    case 'request-already-decided':
      return { status: 409, title: 'The consent request has already been decided' };
    case 'idempotency-key-reused':
      return { status: 422, title: 'This Idempotency-Key was used with another request' };
    case 'payload-too-large':
      return { status: 413, title: 'Payload too large' };
    case 'request-timeout':
      return { status: 408, title: 'The request body arrived too slowly' };
    case 'unsupported-media-type':
      return { status: 415, title: 'Unsupported media type' };
    case 'not-acceptable':
      return { status: 406, title: 'Not acceptable' };
    case 'rate-limited':
      return { status: 429, title: 'Too many requests' };
    case 'overloaded':
      return { status: 503, title: 'The gateway is at capacity' };
    case 'source-unavailable':
      return { status: 503, title: 'The source system is unavailable' };
    case 'source-timeout':
      return { status: 504, title: 'The source system did not answer in time' };
    case 'source-contract-violation':
      return { status: 502, title: 'The source system answered outside its contract' };
    case 'source-error':
      return { status: 502, title: 'The source system gave an unusable answer' };
    case 'source-record-not-found':
      return { status: 404, title: 'The source system holds no record for this citizen' };
    case 'audit-unavailable':
      return { status: 503, title: 'The audit log is unavailable' };
    case 'database-unavailable':
      return { status: 503, title: 'The database is unavailable' };
    case 'not-ready':
      return { status: 503, title: 'The service is not ready' };
    case 'internal-error':
      return { status: 500, title: 'Internal error' };
  }
}
