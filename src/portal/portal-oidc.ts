import * as oidc from 'openid-client';
import { DomainError } from '../platform/errors/domain-error';

/** What the portal keeps between the sign-in redirect and the IdP's callback. */
export interface LoginState {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface PortalOidcSettings {
  issuer: string;
  clientId: string;
  redirectUri: string;
  /** The API's resource indicator: the access token is issued for it. */
  audience: string;
}

const DISCOVERY_TIMEOUT_SECONDS = 5;

/** Who signed in, as the IdP's ID token describes them: only what could be read as such. */
export interface SignInProfile {
  name?: string;
  email?: string;
  emailVerified?: boolean;
  locale?: string;
}

/** The longest value kept of each claim: a full name, an e-mail address (RFC 5321's path limit), a BCP 47 tag. */
const CLAIM_LIMITS = { name: 200, email: 254, locale: 35 } as const;

/**
 * Pure: the profile in the ID token's claims. They are verified (signature,
 * issuer, audience, nonce) but still the IdP's free text, so a claim counts
 * only as a non-empty string within its limit, `email_verified` only as a
 * boolean; anything else is left out rather than trimmed into something else.
 */
export function profileOf(claims: Record<string, unknown> | undefined): SignInProfile {
  const text = (name: keyof typeof CLAIM_LIMITS): string | undefined => {
    const value = claims?.[name];
    return typeof value === 'string' && value.trim() !== '' && value.length <= CLAIM_LIMITS[name] ? value : undefined;
  };
  const profile: SignInProfile = {};
  const [name, email, locale] = [text('name'), text('email'), text('locale')];
  if (name !== undefined) profile.name = name;
  if (email !== undefined) profile.email = email;
  if (typeof claims?.email_verified === 'boolean') profile.emailVerified = claims.email_verified;
  if (locale !== undefined) profile.locale = locale;
  return profile;
}

/** The sign-in did not complete: a bad or replayed callback, or a refusal at the IdP. */
export class SignInFailed extends Error {
  constructor(readonly reason: string) {
    super(`sign-in failed: ${reason}`);
    this.name = 'SignInFailed';
  }
}

/**
 * The portal's side of the OpenID Connect authorization-code flow with PKCE
 * (a public client), through openid-client. The IdP's metadata is discovered
 * once, again only after a failure.
 */
export class PortalOidc {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(private readonly settings: PortalOidcSettings) {}

  /** Where to send the browser, and what to keep until it comes back; `lang` (BCP 47) is the IdP pages' language. */
  async start(lang?: string): Promise<{ url: string; login: LoginState }> {
    const config = await this.config();
    const login: LoginState = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid roles profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(login.codeVerifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
      resource: this.settings.audience,
      // Each sign-in asks for the account: a shared computer never inherits the last person's session.
      prompt: 'login',
      ...(lang === undefined ? {} : { ui_locales: lang }),
    });
    return { url: url.href, login };
  }

  /** Redeems the callback's code: the ID token's subject and profile, and the access token for the API. */
  async complete(
    query: string,
    login: LoginState,
  ): Promise<{ subject: string; accessToken: string; profile: SignInProfile }> {
    const config = await this.config();
    const callback = new URL(this.settings.redirectUri);
    callback.search = query;
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config,
        callback,
        { pkceCodeVerifier: login.codeVerifier, expectedState: login.state, expectedNonce: login.nonce },
        { resource: this.settings.audience },
      );
      const claims = tokens.claims();
      const subject = claims?.sub;
      if (subject === undefined) throw new SignInFailed('no ID token');
      return { subject, accessToken: tokens.access_token, profile: profileOf(claims) };
    } catch (error) {
      if (error instanceof SignInFailed) throw error;
      const code = (error as { code?: unknown }).code;
      throw new SignInFailed(typeof code === 'string' ? code : 'token exchange refused');
    }
  }

  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(new URL(this.settings.issuer), this.settings.clientId, undefined, oidc.None(), {
        timeout: DISCOVERY_TIMEOUT_SECONDS,
        // The development IdP speaks plain HTTP on localhost; production issuers are HTTPS.
        execute: this.settings.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
      })
      .catch(() => {
        this.configuration = undefined;
        throw new DomainError('idp-unavailable');
      });
    return this.configuration;
  }
}
