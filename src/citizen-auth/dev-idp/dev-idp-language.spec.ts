import { chooseLanguage, type LanguageHints } from './dev-idp-language';

describe('The language of the dev IdP pages', () => {
  const CASES: [string, LanguageHints, 'fr' | 'en'][] = [
    ['French with nothing to go on', {}, 'fr'],
    ['the person’s choice over everything', { chosen: 'en', uiLocales: 'fr', acceptLanguage: 'fr' }, 'en'],
    ['an unknown choice ignored', { chosen: 'de', uiLocales: 'en' }, 'en'],
    ['the client’s ui_locales over the browser', { uiLocales: 'en', acceptLanguage: 'fr-CA,fr' }, 'en'],
    ['the first ui_locale that a page speaks', { uiLocales: 'de-CH en-CA fr-CA' }, 'en'],
    ['a region subtag in any case', { uiLocales: 'FR-ca' }, 'fr'],
    ['the browser when ui_locales names none of ours', { uiLocales: 'de', acceptLanguage: 'en-GB' }, 'en'],
    ['the browser’s highest q-value', { acceptLanguage: 'fr;q=0.5, en-CA;q=0.8, de' }, 'en'],
    ['the header’s order on a tie', { acceptLanguage: 'fr-CA, en' }, 'fr'],
    ['a refused language (q=0) skipped', { acceptLanguage: 'en;q=0, fr;q=0.1' }, 'fr'],
    ['French when the browser names none of ours', { acceptLanguage: 'de, es;q=0.9, *;q=0.1' }, 'fr'],
    ['a non-string ui_locales ignored', { uiLocales: ['en'], acceptLanguage: 'fr' }, 'fr'],
  ];

  it.each(CASES)('%s', (_name, hints, expected) => {
    expect(chooseLanguage(hints)).toBe(expected);
  });
});
