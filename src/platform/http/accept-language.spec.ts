import { preferredLanguage } from './accept-language';

describe('preferredLanguage', () => {
  it.each<[string | undefined, readonly ('fr' | 'en')[], 'fr' | 'en' | undefined]>([
    [undefined, ['fr', 'en'], undefined],
    ['', ['fr', 'en'], undefined],
    ['de, es', ['fr', 'en'], undefined],
    ['fr-CA', ['en', 'fr'], 'fr'],
    ['en-GB;q=0.9, fr;q=0.4', ['fr', 'en'], 'en'],
    ['en, fr', ['fr', 'en'], 'en'],
    ['fr;q=0', ['fr', 'en'], undefined],
    // `*` is the first supported language the header does not name, so each caller's order decides it.
    ['*', ['fr', 'en'], 'fr'],
    ['*', ['en', 'fr'], 'en'],
    ['fr;q=0.2, *', ['fr', 'en'], 'en'],
    ['en;q=5', ['fr', 'en'], 'en'],
  ])('%p among %p gives %p', (header, supported, expected) => {
    expect(preferredLanguage(header, supported)).toBe(expected);
  });

  it('does not read past a bounded number of ranges', () => {
    expect(preferredLanguage(`${'de, '.repeat(40)}fr`, ['fr', 'en'])).toBeUndefined();
  });
});
