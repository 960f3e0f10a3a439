import { createHash, randomBytes } from 'node:crypto';

/** Cookies by name, whatever their path: enough for one scripted sign-in. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      this.cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface DevIdpLogin {
  issuer: string;
  clientId: string;
  redirectUri: string;
  resource: string;
  login: string;
}

/**
 * Signs in at the development IdP the way a browser would: authorization
 * request with PKCE, the IdP's sign-in page (no consent step), the redirect
 * with the code, then the token request. Returns the access and ID tokens.
 */
export async function signInThroughDevIdp(options: DevIdpLogin): Promise<{ accessToken: string; idToken: string }> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(`${options.issuer}/auth`);
  for (const [name, value] of Object.entries({
    client_id: options.clientId,
    response_type: 'code',
    scope: 'openid roles',
    redirect_uri: options.redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    resource: options.resource,
  })) {
    authorize.searchParams.set(name, value);
  }

  const go = async (url: string, form?: Record<string, string>): Promise<Response> => {
    const response = await fetch(new URL(url, options.issuer), {
      method: form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      body: form === undefined ? undefined : new URLSearchParams(form).toString(),
    });
    jar.take(response);
    return response;
  };

  let location = authorize.toString();
  for (let step = 0; step < 12; step++) {
    if (location.startsWith(options.redirectUri)) break;
    let response = await go(location);
    const interaction = new URL(location);
    if (response.status === 200 && interaction.pathname.startsWith('/interaction/')) {
      // The IdP's sign-in page: choose the demo account, as a person does.
      await response.body?.cancel();
      response = await go(`${interaction.pathname}/login`, { account: options.login });
    }
    const next = response.headers.get('location');
    if (next === null) throw new Error(`sign-in stopped at ${new URL(location).pathname} with ${response.status}`);
    location = new URL(next, options.issuer).toString();
  }
  const callback = new URL(location);
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = callback.searchParams.get('code');
  if (code === null) throw new Error(`no code: ${callback.searchParams.get('error') ?? 'unknown error'}`);

  const token = await fetch(`${options.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: options.redirectUri,
      client_id: options.clientId,
      code_verifier: verifier,
      resource: options.resource,
    }).toString(),
  });
  const body = (await token.json()) as { access_token?: string; id_token?: string; error?: string };
  if (body.access_token === undefined || body.id_token === undefined) {
    throw new Error(`token request failed: ${body.error ?? token.status}`);
  }
  return { accessToken: body.access_token, idToken: body.id_token };
}
