import type { ListenerName } from './listener';

export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * Whether a request may send a form: only the portal's pages, on the public
 * listener. The agency listener and every JSON API under /v1/ take JSON only,
 * so that one body has one reading wherever it is sent.
 */
export function acceptsForm(listener: ListenerName, url: string): boolean {
  return listener === 'public' && !url.startsWith('/v1/');
}

/** The body type a 415 names as the one to send: the form on the portal's pages, JSON everywhere else. */
export function expectedBodyType(listener: ListenerName, url: string): string {
  return acceptsForm(listener, url) ? FORM_TYPE : JSON_TYPE;
}

/**
 * The response header that lists the body types a method accepts, where one
 * is registered: `Accept-Post` (W3C LDP, in the IANA field registry) and
 * `Accept-Patch` (RFC 5789). RFC 9110 has none for PUT or DELETE; there the
 * detail alone names the type.
 */
export function acceptHeaderFor(method: string): 'accept-post' | 'accept-patch' | undefined {
  if (method === 'POST') return 'accept-post';
  if (method === 'PATCH') return 'accept-patch';
  return undefined;
}
