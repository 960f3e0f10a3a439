/**
 * A minimal scripted browser for the portal: cookies per host, redirects
 * followed by hand (so each hop can be inspected), forms posted urlencoded.
 */
export class WebClient {
  private readonly jars = new Map<string, Map<string, string>>();
  /** Every Set-Cookie header seen, raw, for checking attributes. */
  readonly setCookies: string[] = [];

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const target = new URL(url);
    const jar = this.jars.get(target.hostname) ?? new Map<string, string>();
    this.jars.set(target.hostname, jar);
    const response = await fetch(target, {
      method: init.method ?? (init.form === undefined ? 'GET' : 'POST'),
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(init.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...init.headers,
      },
      body: init.form === undefined ? undefined : new URLSearchParams(init.form).toString(),
    });
    for (const cookie of response.headers.getSetCookie()) {
      this.setCookies.push(cookie);
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /** Follows redirects (answering the dev IdP's sign-in page as `login`) until a page answers. */
  async follow(url: string, login?: string): Promise<{ url: string; response: Response }> {
    let location = url;
    for (let hop = 0; hop < 15; hop++) {
      let response = await this.request(location);
      const at = new URL(location);
      if (response.status === 200 && at.pathname.startsWith('/interaction/') && login !== undefined) {
        // The dev IdP's sign-in page: choose the demo account.
        await response.body?.cancel();
        response = await this.request(`${at.origin}${at.pathname}/login`, { form: { account: login } });
      }
      const next = response.headers.get('location');
      if (next === null) return { url: location, response };
      location = new URL(next, location).toString();
    }
    throw new Error(`too many redirects from ${url}`);
  }

  cookie(hostname: string, name: string): string | undefined {
    return this.jars.get(hostname)?.get(name);
  }
}

/** The CSRF token of the first form on a page. */
export function csrfOf(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (token === undefined) throw new Error('no CSRF token on the page');
  return token;
}
