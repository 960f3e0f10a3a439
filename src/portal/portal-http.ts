// The cookie plugin's request and reply methods (registered in gateway.ts).
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { isLang, langFromAcceptLanguage, type Lang } from './messages';
import type { LoginState } from './portal-oidc';

export const SESSION_COOKIE = 'passerelle_session';
export const LANG_COOKIE = 'passerelle_lang';
/** A sign-in under way: its state, nonce and PKCE verifier, sealed, sent back only to the callback. */
export const LOGIN_COOKIE = 'passerelle_login';
const CALLBACK_PATH = '/auth/callback';
/** A sign-in under way lasts this long. */
const LOGIN_SECONDS = 600;

/** No script at all, styles from this origin, forms only to this origin, never framed. */
const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A page must be reached elsewhere: the portal's error filter answers with this redirect. */
export class PortalRedirect extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
    this.name = 'PortalRedirect';
  }
}

export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-store');
}

export async function sendPage(reply: FastifyReply, body: string, status = 200): Promise<void> {
  await securityHeaders(reply).status(status).header('content-type', 'text/html; charset=utf-8').send(body);
}

export async function redirect(reply: FastifyReply, location: string): Promise<void> {
  await securityHeaders(reply).status(303).header('location', location).send();
}

/** The chosen language; before any choice, the browser's (Accept-Language), French by default. */
export function langOf(request: FastifyRequest): Lang {
  const chosen = request.cookies[LANG_COOKIE];
  return isLang(chosen) ? chosen : langFromAcceptLanguage(request.headers['accept-language']);
}

/** The session token from the signed cookie, if its signature holds. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  if (raw === undefined) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value !== null ? unsigned.value : undefined;
}

export function setSessionCookie(reply: FastifyReply, token: string, maxAgeSeconds: number, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    signed: true,
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

/** A path on this site to come back to, never another origin: `//evil`, `/\evil` and absolute URLs become `/`. */
export function localPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(value) && value.length <= 500 ? value : '/';
}

/** Where to come back to after sign-in: a page of this site other than sign-in itself, else none. */
export function returnPath(value: unknown): string | undefined {
  const path = localPath(value);
  return path === '/' || path.startsWith('/auth/') || path.length > 300 ? undefined : path;
}

/** The sign-in address that comes back to `path`. */
export function signInFor(path: string): string {
  const back = returnPath(path);
  return back === undefined ? '/auth/login' : `/auth/login?back=${encodeURIComponent(back)}`;
}

/** The fields of a submitted form, as strings. */
export function formOf(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/**
 * Keeps what the callback needs in the browser, not in the database: an
 * anonymous visit costs no row. The state is sealed (AES-256-GCM, as a JWE
 * with its own expiry), so the PKCE verifier and nonce are never readable in
 * the browser or on the way, and a cookie older than LOGIN_SECONDS is refused
 * whatever the browser kept.
 */
export async function setLoginCookie(
  reply: FastifyReply,
  login: LoginState,
  key: Uint8Array,
  secure: boolean,
  back?: string,
): Promise<void> {
  const sealed = await new EncryptJWT({ ...login, ...(back === undefined ? {} : { back }) })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(`${LOGIN_SECONDS}s`)
    .encrypt(key);
  void reply.setCookie(LOGIN_COOKIE, sealed, {
    httpOnly: true,
    // The IdP's redirect back is a top-level navigation, which carries a Lax cookie.
    sameSite: 'lax',
    secure,
    path: CALLBACK_PATH,
    maxAge: LOGIN_SECONDS,
  });
}

export function clearLoginCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(LOGIN_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: CALLBACK_PATH });
}

/** The sign-in under way, if its cookie is there, opens with `key` and has not expired; and where it goes back to. */
export async function loginState(
  request: FastifyRequest,
  key: Uint8Array,
): Promise<(LoginState & { back?: string }) | undefined> {
  const raw = request.cookies[LOGIN_COOKIE];
  if (raw === undefined || raw.length > 2000) return undefined;
  try {
    const { payload } = await jwtDecrypt(raw, key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const { state, nonce, codeVerifier } = payload;
    if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string') return undefined;
    const back = returnPath(payload.back);
    return { state, nonce, codeVerifier, ...(back === undefined ? {} : { back }) };
  } catch {
    return undefined;
  }
}
