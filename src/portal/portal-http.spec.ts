import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EncryptJWT } from 'jose';
import { formOf, localPath, LOGIN_COOKIE, loginState, returnPath, setLoginCookie, signInFor } from './portal-http';

const LOGIN = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43) };

/** The value setLoginCookie hands the cookie plugin, and the options it sets. */
async function sealed(key: Uint8Array): Promise<{ value: string; options: Record<string, unknown> }> {
  let cookie: { value: string; options: Record<string, unknown> } | undefined;
  const reply = {
    setCookie: (name: string, value: string, options: Record<string, unknown>) => {
      if (name === LOGIN_COOKIE) cookie = { value, options };
      return reply;
    },
  };
  await setLoginCookie(reply as unknown as FastifyReply, LOGIN, key, true);
  if (cookie === undefined) throw new Error('no login cookie was set');
  return cookie;
}

function requestWith(value: string): FastifyRequest {
  return { cookies: { [LOGIN_COOKIE]: value } } as unknown as FastifyRequest;
}

describe('portal HTTP helpers', () => {
  it('comes back only to a path of this site', () => {
    expect(localPath('/consents?x=1')).toBe('/consents?x=1');
    for (const hostile of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/a b',
      7,
    ]) {
      expect(localPath(hostile)).toBe('/');
    }
  });

  it('keeps only the string fields of a form', () => {
    expect(formOf({ _csrf: 'x', n: 1, list: ['a'] })).toEqual({ _csrf: 'x' });
    expect(formOf(undefined)).toEqual({});
  });

  it('seals a sign-in under way so that only its key opens it, and only before it expires', async () => {
    const key = new Uint8Array(randomBytes(32));
    const { value, options } = await sealed(key);
    expect(options).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/auth/callback',
      maxAge: 600,
    });
    expect(value).not.toContain(LOGIN.codeVerifier);
    expect(await loginState(requestWith(value), key)).toEqual(LOGIN);

    expect(await loginState(requestWith(value), new Uint8Array(randomBytes(32)))).toBeUndefined();
    expect(await loginState(requestWith(`${value.slice(0, -2)}AA`), key)).toBeUndefined();
    const expired = await new EncryptJWT({ ...LOGIN })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 700)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 100)
      .encrypt(key);
    expect(await loginState(requestWith(expired), key)).toBeUndefined();
    const incomplete = await new EncryptJWT({ state: LOGIN.state })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setExpirationTime('1m')
      .encrypt(key);
    expect(await loginState(requestWith(incomplete), key)).toBeUndefined();
    expect(await loginState({ cookies: {} } as unknown as FastifyRequest, key)).toBeUndefined();
  });
});

describe('the way back after sign-in', () => {
  it('comes back to a page of this site, with its query, and never to sign-in itself or elsewhere', () => {
    expect(signInFor('/contact/confirm?token=abc')).toBe('/auth/login?back=%2Fcontact%2Fconfirm%3Ftoken%3Dabc');
    expect(signInFor('/')).toBe('/auth/login');
    expect(signInFor('/auth/callback?code=x')).toBe('/auth/login');
    expect(returnPath('https://evil.example/')).toBeUndefined();
    expect(returnPath('//evil.example')).toBeUndefined();
    expect(returnPath(`/${'a'.repeat(300)}`)).toBeUndefined();
    expect(returnPath('/history')).toBe('/history');
  });

  it('keeps the way back sealed in the sign-in cookie', async () => {
    const key = randomBytes(32);
    let value = '';
    const reply = {
      setCookie: (name: string, sealedValue: string) => {
        if (name === LOGIN_COOKIE) value = sealedValue;
        return reply;
      },
    };
    await setLoginCookie(reply as unknown as FastifyReply, LOGIN, key, true, '/contact/confirm?token=abc');
    expect(value).not.toContain('contact');
    const request = { cookies: { [LOGIN_COOKIE]: value } } as unknown as FastifyRequest;
    expect(await loginState(request, key)).toEqual({ ...LOGIN, back: '/contact/confirm?token=abc' });
  });
});
