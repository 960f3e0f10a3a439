import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { testEnv } from './setup/test-env';
import { bearer, citizenToken, devIdpKey, TEST_AUDIENCE } from './support/citizen-tokens';
import { signInThroughDevIdp } from './support/oidc-login';
import { startTestGateway, type TestGateway } from './support/test-gateway';
import { CLI_MAIN } from './support/cli';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

/** A token like the IdP's, with `claims` changed; `undefined` removes a claim. */
async function forged(
  claims: Record<string, unknown>,
  options: { key?: CryptoKey; kid?: string; alg?: string } = {},
): Promise<string> {
  const idp = await devIdpKey();
  const payload: JWTPayload = {
    iss: testEnv('oidcIssuer'),
    aud: TEST_AUDIENCE,
    sub: 'demo-citizen-1',
    iat: now(),
    exp: now() + 600,
    jti: randomUUID(),
  };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? idp.kid, typ: 'at+jwt' })
    .sign(options.key ?? idp.privateKey);
}

describe('Citizen bearer tokens, verified against the real development IdP', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(() => gateway.stop());

  const me = (headers: Record<string, string> = {}, query = ''): Promise<Response> =>
    fetch(`${gateway.publicUrl}/v1/me${query}`, { headers });

  it('accepts a token of the IdP: the subject is the pivot id', async () => {
    const response = await me(bearer(await citizenToken('demo-citizen-1')));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'demo-citizen-1', roles: [] });
  });

  it('carries the privacy-officer role from the role claim', async () => {
    const response = await me(bearer(await citizenToken('demo-officer', ['privacy-officer'])));
    expect(await response.json()).toEqual({ subject: 'demo-officer', roles: ['privacy-officer'] });
  });

  it('accepts a token expired less than the 60 s clock tolerance ago', async () => {
    const response = await me(bearer(await forged({ iat: now() - 600, exp: now() - 30 })));
    expect(response.status).toBe(200);
  });

  const HS256_WITH_PUBLIC_KEY = async (): Promise<string> => {
    const idp = await devIdpKey();
    const { d: _d, ...publicJwk } = idp.privateJwk;
    const header = { alg: 'HS256', kid: idp.kid, typ: 'JWT' };
    // The classic confusion attack: the public key, as published, used as an HMAC secret.
    return new SignJWT({ iss: testEnv('oidcIssuer'), aud: TEST_AUDIENCE, sub: 'demo-citizen-1', exp: now() + 600 })
      .setProtectedHeader(header)
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
  };

  const otherKey = async (): Promise<CryptoKey> => (await generateKeyPair('ES256')).privateKey;

  const FAILURES: [string, () => Promise<Record<string, string>>, string][] = [
    ['no Authorization header', () => Promise.resolve({}), 'no-token'],
    ['a Basic credential', () => Promise.resolve({ authorization: 'Basic ZGVtbzpkZW1v' }), 'not-bearer'],
    ['a token that is not a JWT', () => Promise.resolve(bearer('not-a-jwt')), 'malformed'],
    [
      'alg none',
      () =>
        Promise.resolve(
          bearer(
            `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: testEnv('oidcIssuer'), aud: TEST_AUDIENCE, sub: 'demo-citizen-1', exp: now() + 600 })}.`,
          ),
        ),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
    [
      'HS256 signed with the IdP public key',
      async () => bearer(await HS256_WITH_PUBLIC_KEY()),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
    ['a missing exp', async () => bearer(await forged({ exp: undefined })), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['a missing sub', async () => bearer(await forged({ sub: undefined })), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['another audience', async () => bearer(await forged({ aud: 'urn:other:api' })), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    [
      'another issuer',
      async () => bearer(await forged({ iss: 'http://evil.example' })),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'an unknown kid',
      async () => bearer(await forged({}, { key: await otherKey(), kid: 'unknown' })),
      'ERR_JWKS_NO_MATCHING_KEY',
    ],
    [
      'another key under the IdP kid',
      async () => bearer(await forged({}, { key: await otherKey() })),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    ['an expired token', async () => bearer(await forged({ iat: now() - 900, exp: now() - 120 })), 'ERR_JWT_EXPIRED'],
    [
      'a token not valid yet',
      async () => bearer(await forged({ nbf: now() + 600 })),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
  ];

  it.each(FAILURES)(
    'answers 401 problem+json to %s, and logs why without the token',
    async (_what, headers, reason) => {
      const sent = await headers();
      const response = await me(sent);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="passerelle"');
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.code).toBe('unauthorized');
      const correlationId = response.headers.get('x-correlation-id');
      const logged = gateway.logs.find(
        (l) => l.event === 'citizen-token-rejected' && l.correlationId === correlationId,
      );
      expect(logged?.reason).toBe(reason);
      const token = sent.authorization?.split(' ')[1];
      if (token !== undefined && token.length > 20) {
        expect(gateway.rawLogs.join('\n')).not.toContain(token);
      }
    },
  );

  it('refuses a token in the query string, even beside a valid header', async () => {
    const token = await citizenToken('demo-citizen-1');
    const response = await me(bearer(token), `?access_token=${token}`);
    expect(response.status).toBe(401);
    expect(gateway.rawLogs.join('\n')).not.toContain(token.split('.')[2]);
  });

  it('keeps the exact same 401 body for every failure', async () => {
    const shapes = await Promise.all(
      FAILURES.map(async ([, headers]) => {
        const { correlationId: _c, ...rest } = (await (await me(await headers())).json()) as Record<string, unknown>;
        return JSON.stringify(rest);
      }),
    );
    expect(new Set(shapes).size).toBe(1);
  });

  it('publishes the key it verifies with through discovery, not configuration', async () => {
    const discovery = (await (await fetch(`${testEnv('oidcIssuer')}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery.issuer).toBe(testEnv('oidcIssuer'));
    const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string; d?: string }[] };
    expect(keys.map((k) => k.kid)).toEqual([(await devIdpKey()).kid]);
    expect(keys[0].d).toBeUndefined();
    expect(await exportJWK((await generateKeyPair('ES256')).publicKey)).not.toHaveProperty('d');
  });
});

describe('Citizen bearer tokens when the IdP cannot be reached', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { OIDC_ISSUER: 'http://127.0.0.1:9' } });
  });

  afterAll(() => gateway.stop());

  it('answers 503 idp-unavailable, fail closed, never 500 and never 200', async () => {
    const response = await fetch(`${gateway.publicUrl}/v1/me`, {
      headers: bearer(await citizenToken('demo-citizen-1')),
    });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe('idp-unavailable');
    expect(response.headers.get('retry-after')).toBe('5');
  });
});

describe('A token from a real sign-in at the development IdP (authorization code with PKCE)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(() => gateway.stop());

  const signIn = (login: string) =>
    signInThroughDevIdp({
      issuer: testEnv('oidcIssuer'),
      clientId: 'passerelle-portal',
      redirectUri: 'http://127.0.0.1/auth/callback',
      resource: TEST_AUDIENCE,
      login,
    });

  it('is accepted by the gateway, with the citizen as subject', async () => {
    const { accessToken } = await signIn('demo-citizen-4');
    const response = await fetch(`${gateway.publicUrl}/v1/me`, { headers: bearer(accessToken) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'demo-citizen-4', roles: [] });
  });

  it('carries the officer role for demo-officer', async () => {
    const { accessToken } = await signIn('demo-officer');
    const response = await fetch(`${gateway.publicUrl}/v1/me`, { headers: bearer(accessToken) });
    expect(await response.json()).toEqual({ subject: 'demo-officer', roles: ['privacy-officer'] });
  });

  it('gives an ID token that the API refuses: its audience is the portal, not the API', async () => {
    const { idToken } = await signIn('demo-citizen-4');
    expect((await fetch(`${gateway.publicUrl}/v1/me`, { headers: bearer(idToken) })).status).toBe(401);
  });

  it('lets nobody but the demo accounts sign in', async () => {
    await expect(signIn('someone-else')).rejects.toThrow();
  });
});

describe('npm run cli -- dev token', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(() => gateway.stop());

  it('prints a token the gateway accepts, with the role asked for', async () => {
    const result = spawnSync(
      process.execPath,
      [CLI_MAIN, 'dev', 'token', '--sub', 'demo-officer', '--role', 'privacy-officer'],
      {
        cwd: join(__dirname, '..'),
        encoding: 'utf8',
        env: {
          ...process.env,
          DATABASE_URL: '',
          NODE_ENV: 'development',
          OIDC_ISSUER: testEnv('oidcIssuer'),
          DEV_IDP_KEY_FILE: testEnv('idpKeyFile'),
        },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const response = await fetch(`${gateway.publicUrl}/v1/me`, { headers: bearer(token) });
    expect(await response.json()).toEqual({ subject: 'demo-officer', roles: ['privacy-officer'] });
  });

  it('refuses to run without --sub', () => {
    const result = spawnSync(process.execPath, [CLI_MAIN, 'dev', 'token'], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: { ...process.env, DEV_IDP_KEY_FILE: testEnv('idpKeyFile') },
    });
    // A usage error, as every command's: 2.
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("required option '--sub <pivot id>' not specified");
  });
});
