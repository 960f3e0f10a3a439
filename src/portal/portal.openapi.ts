import type { ApiOperation, ApiPart, JsonObject, SuccessResponse } from '../platform/openapi/api-operation';
import { htmlResponse, pathParameter, redirectResponse } from '../platform/openapi/api-operation';
import type { ErrorCode } from '../platform/errors/error-codes';
import { SESSION_COOKIE } from './portal-http';

/** A portal form: URL-encoded, with the session's CSRF token. */
const FORM = {
  contentType: 'application/x-www-form-urlencoded',
  required: true,
  description: 'The page’s form, with its `_csrf` token',
  schema: {
    type: 'object',
    required: ['_csrf'],
    properties: { _csrf: { type: 'string' } },
    additionalProperties: { type: 'string' },
  },
};

const SIGN_IN = redirectResponse('Not signed in: to the sign-in, which comes back here');

interface Page {
  method?: 'get' | 'post';
  path: string;
  summary: string;
  /** Anyone may open it; otherwise a portal session (an officer's for /officer). */
  open?: boolean;
  ok?: Record<string, SuccessResponse>;
  parameters?: JsonObject[];
  form?: boolean;
  errors?: ErrorCode[];
}

const ID = pathParameter('id', 'The record’s id');

function page(spec: Page): ApiOperation {
  const method = spec.method ?? 'get';
  const officer = spec.path.startsWith('/officer/');
  const errors: ErrorCode[] = [...(spec.errors ?? [])];
  if (spec.open !== true) errors.push('database-unavailable', 'idp-unavailable');
  if (officer) errors.push('forbidden');
  if (spec.form === true) errors.push('forbidden');
  return {
    method,
    path: spec.path,
    listener: 'public',
    caller: spec.open === true ? 'anyone' : 'portal',
    tag: 'portal',
    operationId: `portal ${method} ${spec.path}`.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string = '') => c.toUpperCase()),
    summary: spec.summary,
    ...(spec.parameters === undefined ? {} : { parameters: spec.parameters }),
    ...(spec.form === true ? { body: FORM } : {}),
    responses: {
      ...(spec.ok ?? { '200': htmlResponse('The page, in the visitor’s language') }),
      ...(spec.open === true ? {} : { '303': SIGN_IN }),
    },
    errors,
  };
}

const file = (description: string, type: string): Record<string, SuccessResponse> => ({
  '200': { description, content: { [type]: { schema: { type: 'string' } } } },
});
const after = (where: string): Record<string, SuccessResponse> => ({ '303': redirectResponse(where) });

/**
 * The portal: pages for people, in French and English. Described briefly so
 * that the reference covers every route; their errors are pages too.
 */
export const PORTAL_API: ApiPart = {
  operations: [
    page({ path: '/', open: true, summary: 'Home: sign in, or on to my consents (or the officer’s audit)' }),
    page({ path: '/portal.css', open: true, summary: 'The stylesheet', ok: file('CSS', 'text/css') }),
    page({ path: '/favicon.svg', open: true, summary: 'The icon', ok: file('SVG', 'image/svg+xml') }),
    page({ path: '/privacy', open: true, summary: 'Privacy notice' }),
    page({ path: '/accessibility', open: true, summary: 'Accessibility statement' }),
    page({ path: '/support', open: true, summary: 'Help and support' }),
    page({
      path: '/lang',
      open: true,
      summary: 'Switch language (fr, en) and go back',
      ok: after('Back to the page'),
      parameters: [
        { name: 'to', in: 'query', required: false, schema: { type: 'string', enum: ['fr', 'en'] } },
        { name: 'back', in: 'query', required: false, schema: { type: 'string' } },
      ],
    }),
    page({
      path: '/auth/login',
      open: true,
      summary: 'Sign in with the government identity provider',
      ok: after('To the identity provider'),
      errors: ['idp-unavailable'],
    }),
    page({
      path: '/auth/callback',
      open: true,
      summary: 'The identity provider’s answer (OpenID Connect, PKCE)',
      ok: after('Signed in: back to the page asked for'),
      errors: ['idp-unavailable', 'database-unavailable'],
    }),
    page({ method: 'post', path: '/auth/logout', form: true, summary: 'Sign out', ok: after('Home') }),
    page({ path: '/consents', summary: 'My consents' }),
    page({ path: '/consents/{id}/revoke', parameters: [ID], summary: 'Confirm revoking a consent' }),
    page({
      method: 'post',
      path: '/consents/{id}/revoke',
      parameters: [ID],
      form: true,
      summary: 'Revoke a consent',
      ok: after('My consents'),
      errors: ['consent-not-active', 'audit-unavailable'],
    }),
    page({ path: '/consents/{id}/receipt', parameters: [ID], summary: 'A consent’s receipt' }),
    page({
      path: '/consents/{id}/receipt.pdf',
      parameters: [ID],
      summary: 'The receipt as PDF',
      ok: file('PDF', 'application/pdf'),
    }),
    page({
      path: '/consents/{id}/receipt.jws',
      parameters: [ID],
      summary: 'The signed receipt (compact JWS)',
      ok: file('JWS', 'application/jose'),
    }),
    page({ path: '/consents/new', summary: 'Grant a consent: which organisation and purpose' }),
    page({ path: '/consents/new/data', summary: 'Grant a consent: which data' }),
    page({ method: 'post', path: '/consents/new/review', form: true, summary: 'Grant a consent: review' }),
    page({
      method: 'post',
      path: '/consents/new/confirm',
      form: true,
      summary: 'Grant a consent: confirm',
      ok: after('The new consent’s receipt'),
      errors: ['audit-unavailable'],
    }),
    page({ path: '/requests', summary: 'Consent requests agencies sent me' }),
    page({
      method: 'post',
      path: '/requests/{id}/{decision}',
      parameters: [ID, pathParameter('decision', 'approve or reject', { type: 'string', enum: ['approve', 'reject'] })],
      form: true,
      summary: 'Approve or reject a request',
      ok: after('The requests'),
      errors: ['request-already-decided', 'audit-unavailable'],
    }),
    page({ path: '/requests/{id}/preview', parameters: [ID], summary: 'What a pending request would receive' }),
    page({ path: '/history', summary: 'Who asked for my data' }),
    page({ path: '/my-information', summary: 'My information, by product' }),
    page({
      path: '/my-information/{product}',
      parameters: [pathParameter('product', 'The product code')],
      summary: 'One product’s data, read from the organisation that holds it',
      errors: ['source-unavailable', 'source-timeout', 'source-error'],
    }),
    page({ path: '/contact', summary: 'How the gateway reaches me (email, SMS)' }),
    page({ method: 'post', path: '/contact', form: true, summary: 'Change my contact details', ok: after('Contact') }),
    page({ path: '/contact/confirm', summary: 'Confirm a contact address from its link' }),
    page({ path: '/officer/audit', summary: 'Officer: search the audit log' }),
    page({ path: '/officer/audit/export.csv', summary: 'Officer: export the search', ok: file('CSV', 'text/csv') }),
    page({
      path: '/officer/audit/{seq}',
      parameters: [pathParameter('seq', 'The record’s seq', { type: 'string', pattern: '^\\d+$' })],
      summary: 'Officer: one audit record',
    }),
    page({ path: '/officer/integrity', summary: 'Officer: verify the chain now' }),
  ],
};

/** The portal's session: a signed cookie set at sign-in. */
export const PORTAL_SESSION_SCHEME: Record<string, JsonObject> = {
  portalSession: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Set by the portal’s sign-in (GET /auth/login); for browsers, not for programs',
  },
};
