import { problemLanguage } from './problem-language';

describe('problemLanguage', () => {
  it.each<[string | undefined, 'en' | 'fr']>([
    [undefined, 'en'],
    ['', 'en'],
    ['fr', 'fr'],
    ['fr-CA', 'fr'],
    ['FR-ca', 'fr'],
    ['en-CA,en;q=0.9', 'en'],
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr'],
    ['en;q=0.2, fr;q=0.8', 'fr'],
    ['fr;q=0.5, en-GB;q=0.8, de', 'en'],
    ['de-DE, fr;q=0.4', 'fr'],
    ['fr-CA, en', 'fr'],
    ['en, fr-CA', 'en'],
    ['es, de', 'en'],
    ['en;q=0, fr;q=0.1', 'fr'],
    ['fr;q=0', 'en'],
    ['en;q=0', 'en'],
    ['*', 'en'],
    ['en;q=0, *', 'fr'],
    ['fr;q=0.1, *;q=0.5', 'en'],
    ['de, *;q=0.1', 'en'],
    ['fr ; q = 0.7 , en;q=0.6', 'fr'],
    ['fr;q=nonsense', 'fr'],
  ])('Accept-Language %p gives %p', (header, language) => {
    expect(problemLanguage(header)).toBe(language);
  });

  it('reads a bounded number of ranges, whatever the header holds', () => {
    const long = `${Array.from({ length: 40 }, (_, i) => `x${i};q=0.9`).join(', ')}, fr`;
    expect(problemLanguage(long)).toBe('en');
    expect(problemLanguage(`${'de, '.repeat(20)}fr`)).toBe('fr');
  });
});
