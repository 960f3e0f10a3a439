import type { Agent, Dispatcher } from 'undici';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { fetchAnswer } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { startTestGateway, type TestGateway } from './support/test-gateway';

/**
 * Errors that say what to fix, in the caller's language, without saying more
 * than the caller may know: a misspelt product, malformed JSON, a body of the
 * wrong type. The agency listener is called over mutual TLS as `mess`; the
 * public one with a citizen's bearer token.
 */

const CITIZEN = citizenIdOf('mess', 'demo-citizen-1');
/** A marker that must never come back: the body's content is not echoed. */
const SECRET = 'body-content-never-echoed';

interface Ask {
  listener: 'agency' | 'public';
  method?: Dispatcher.HttpMethod;
  path: string;
  body?: string;
  contentType?: string;
  language?: string;
}

type Problem = Record<string, unknown> & { code: string; title: string; detail?: string };

describe('Helpful errors, in English and French', () => {
  let gateway: TestGateway;
  let mess: Agent;
  let token: string;

  const send = async (ask: Ask): Promise<AgencyResponse> => {
    const headers: Record<string, string> = {};
    if (ask.body !== undefined) headers['content-type'] = ask.contentType ?? 'application/json';
    if (ask.language !== undefined) headers['accept-language'] = ask.language;
    if (ask.listener === 'agency') {
      return call(mess, `${gateway.agencyUrl}${ask.path}`, { method: ask.method ?? 'GET', headers, body: ask.body });
    }
    Object.assign(headers, bearer(token));
    return fetchAnswer(`${gateway.publicUrl}${ask.path}`, { method: ask.method ?? 'GET', headers, body: ask.body });
  };
  const problemOf = (response: AgencyResponse): Problem => response.body as Problem;
  const exchange = (product: string, language?: string): Promise<AgencyResponse> =>
    send({
      listener: 'agency',
      method: 'POST',
      path: '/v1/exchanges',
      body: JSON.stringify({ product, version: 1, purpose: 'mess.aide-sociale', citizen: CITIZEN }),
      language,
    });
  /** A localised answer: its language named, caches told that it depends on Accept-Language. */
  const expectLocalised = (response: AgencyResponse, language: 'en' | 'fr'): void => {
    expect(response.headers['content-language']).toBe(language);
    expect(String(response.headers.vary)).toMatch(/accept-language/i);
    expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    mess = agencyAgent(gateway.certsDir, 'mess');
    token = await citizenToken('demo-citizen-1');
  });

  afterAll(async () => {
    await mess.close();
    await gateway.stop();
  });

  describe('a product not in the catalogue', () => {
    it.each([
      [undefined, 'en', 'No product `saaq.adress` version 1 in your catalogue. Did you mean `saaq.adresse`?'],
      [
        'fr-CA,fr;q=0.9,en;q=0.8',
        'fr',
        'Aucun produit `saaq.adress` version 1 dans votre catalogue. Vouliez-vous dire `saaq.adresse` ?',
      ],
      [
        'en;q=0.3, fr;q=0.7',
        'fr',
        'Aucun produit `saaq.adress` version 1 dans votre catalogue. Vouliez-vous dire `saaq.adresse` ?',
      ],
      ['de, en;q=0.5', 'en', 'No product `saaq.adress` version 1 in your catalogue. Did you mean `saaq.adresse`?'],
    ] as const)(
      'names the product sent and suggests one of the caller’s own (Accept-Language %p)',
      async (header, language, detail) => {
        const response = await exchange('saaq.adress', header);
        expect(response.status).toBe(404);
        // `code` and `title` are the same in every language: machines read `code`.
        expect(problemOf(response)).toMatchObject({
          code: 'product-not-found',
          title: 'Data product not found',
          detail,
        });
        expectLocalised(response, language);
      },
    );

    it('suggests nothing from another organisation’s catalogue, and answers its products like absent ones', async () => {
      // `ramq.admissibilite` exists, for `retraite-qc`; `ramq.admissibilit` is one letter from it.
      const near = await exchange('ramq.admissibilit', 'fr');
      const others = await exchange('ramq.admissibilite', 'fr');
      const nowhere = await exchange('ramq.inexistant', 'fr');
      expect(problemOf(near).detail).toBe('Aucun produit `ramq.admissibilit` version 1 dans votre catalogue.');
      expect(problemOf(others).detail).toBe('Aucun produit `ramq.admissibilite` version 1 dans votre catalogue.');
      expect(problemOf(nowhere).detail).toBe('Aucun produit `ramq.inexistant` version 1 dans votre catalogue.');
      const { correlationId: _a, detail: _b, ...rest } = problemOf(others);
      const { correlationId: _c, detail: _d, ...same } = problemOf(nowhere);
      expect(rest).toEqual(same);
    });

    it.each([
      [undefined, 'en', 'No product `saaq.adress` version 1 in your catalogue. Did you mean `saaq.adresse`?'],
      ['fr', 'fr', 'Aucun produit `saaq.adress` version 1 dans votre catalogue. Vouliez-vous dire `saaq.adresse` ?'],
    ] as const)('says the same on the catalogue route (Accept-Language %p)', async (header, language, detail) => {
      const response = await send({
        listener: 'agency',
        path: '/v1/catalogue/saaq.adress/versions/1',
        language: header,
      });
      expect(response.status).toBe(404);
      expect(problemOf(response)).toMatchObject({ code: 'product-not-found', detail });
      expectLocalised(response, language);
    });
  });

  describe('malformed JSON', () => {
    const BODY = `{\n  "product": "saaq.adresse",\n  "purpose" "${SECRET}",\n  "version": 1\n}`;

    it.each([
      [
        'agency',
        '/v1/exchanges',
        undefined,
        'en',
        'The body is not valid JSON at line 3, column 13 (character 43): expected `:` after the member name.',
      ],
      [
        'agency',
        '/v1/exchanges',
        'fr-CA',
        'fr',
        'Le corps n’est pas du JSON valide à la ligne 3, colonne 13 (caractère 43) : `:` est attendu après le nom du membre.',
      ],
      [
        'public',
        '/v1/me/consents',
        'en-CA',
        'en',
        'The body is not valid JSON at line 3, column 13 (character 43): expected `:` after the member name.',
      ],
      [
        'public',
        '/v1/me/consents',
        'fr',
        'fr',
        'Le corps n’est pas du JSON valide à la ligne 3, colonne 13 (caractère 43) : `:` est attendu après le nom du membre.',
      ],
    ] as const)(
      'on the %s listener (%s, Accept-Language %p) gives the position',
      async (listener, path, header, language, detail) => {
        const response = await send({ listener, method: 'POST', path, body: BODY, language: header });
        expect(response.status).toBe(400);
        expect(problemOf(response)).toMatchObject({
          code: 'invalid-request',
          detail,
          position: { line: 3, column: 13, offset: 43 },
        });
        expectLocalised(response, language);
        expect(response.text).not.toContain(SECRET);
        expect(response.text).not.toMatch(/SyntaxError|Unexpected token|is not valid JSON"|at position/);
      },
    );

    it.each([
      ['', 'en', 'The body is not valid JSON at line 1, column 1 (character 0): the body is empty.'],
      [
        '{"product": "saaq.adresse",',
        'fr',
        'Le corps n’est pas du JSON valide à la ligne 1, colonne 28 (caractère 27) : le corps se termine avant la fin du JSON.',
      ],
      [`{"citizen": "${SECRET}", "citizen": "x"}`, 'fr', 'Un objet JSON nomme deux fois le même membre.'],
      [
        `{"product": "saaq.adresse", "__proto__": {"admin": true}}`,
        'en',
        'A JSON object has a `__proto__` or `constructor.prototype` member, which is refused.',
      ],
    ] as const)('explains %p in %s', async (body, language, detail) => {
      const response = await send({ listener: 'agency', method: 'POST', path: '/v1/exchanges', body, language });
      expect(response.status).toBe(400);
      expect(problemOf(response)).toMatchObject({ code: 'invalid-request', detail });
      expectLocalised(response, language);
      expect(response.text).not.toContain(SECRET);
    });
  });

  describe('a body of the wrong type', () => {
    it.each([
      ['agency', '/v1/exchanges', 'text/plain', undefined, 'en', 'application/json'],
      ['agency', '/v1/exchanges', 'application/x-www-form-urlencoded', 'fr', 'fr', 'application/json'],
      ['public', '/v1/me/consents', 'application/xml', 'en', 'en', 'application/json'],
      ['public', '/v1/me/consents', 'application/x-www-form-urlencoded', 'fr-CA', 'fr', 'application/json'],
      // The portal's own pages take the form its pages send.
      ['public', '/consents/new/review', 'text/plain', 'fr', 'fr', 'application/x-www-form-urlencoded'],
    ] as const)(
      'on the %s listener, %s with %s (Accept-Language %p) names the type to send',
      async (listener, path, contentType, header, language, expected) => {
        const body = listener === 'public' && expected !== 'application/json' ? 'a=1' : `${SECRET}=1`;
        const response = await send({ listener, method: 'POST', path, body, contentType, language: header });
        expect(response.status).toBe(415);
        expect(problemOf(response)).toMatchObject({
          code: 'unsupported-media-type',
          title: 'Unsupported media type',
          detail:
            language === 'fr'
              ? `Ce type de contenu n’est pas accepté ici : envoyez \`${expected}\`.`
              : `This content type is not accepted here: send \`${expected}\`.`,
        });
        expect(response.headers['accept-post']).toBe(expected);
        expectLocalised(response, language);
        expect(response.text).not.toContain(SECRET);
      },
    );

    it('names the type on a PUT too, without an Accept-Post header', async () => {
      const response = await send({
        listener: 'agency',
        method: 'PUT',
        path: '/v1/subscriptions/saaq.adresse',
        body: 'purpose=mess.aide-sociale',
        contentType: 'text/plain',
      });
      expect(response.status).toBe(415);
      expect(problemOf(response).detail).toBe('This content type is not accepted here: send `application/json`.');
      expect(response.headers).not.toHaveProperty('accept-post');
    });
  });

  it('keeps the consent refusal exactly as it was: one answer, no detail, in any language', async () => {
    const answers = await Promise.all(
      [citizenIdOf('mess', 'demo-citizen-3'), 'no-such-citizen', citizenIdOf('afe', 'demo-citizen-1')].map(
        async (citizen) => {
          const response = await send({
            listener: 'agency',
            method: 'POST',
            path: '/v1/exchanges',
            body: JSON.stringify({ product: 'saaq.adresse', version: 1, purpose: 'mess.aide-sociale', citizen }),
            language: 'fr-CA',
          });
          const { correlationId: _c, ...body } = problemOf(response);
          return { status: response.status, body, language: response.headers['content-language'] };
        },
      ),
    );
    expect(answers[0]).toEqual({
      status: 403,
      body: {
        type: 'urn:passerelle:problem:consent-required',
        title: 'Consent required',
        status: 403,
        code: 'consent-required',
      },
      language: undefined,
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });
});
