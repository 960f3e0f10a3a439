/** The languages a problem's `detail` is written in. */
export type ProblemLanguage = 'en' | 'fr';

/** Accept-Language ranges read, at most: a header is bounded by the server, this bounds the work. */
const MAX_RANGES = 32;

const QUALITY = /^\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$/i;

/**
 * The language of a problem's detail, from the caller's Accept-Language
 * (RFC 9110 §12.5.4): the highest q-value among French and English, the
 * header's order on a tie; a range of q=0 refuses that language. `fr`,
 * `fr-CA` and any other French tag read as French; `*` stands for a language
 * the header does not name. English is the answer when the header names
 * neither.
 * Agencies' systems often send no header at all, and English is what their
 * developers and logs expect; a French-speaking caller asks for French.
 */
export function problemLanguage(header: string | undefined): ProblemLanguage {
  if (header === undefined) return 'en';
  const ranges = header.split(',', MAX_RANGES).map((range, index) => {
    const [tag, ...parameters] = range.split(';');
    const quality = parameters.map((p) => QUALITY.exec(p)?.[1]).find((q) => q !== undefined);
    return { primary: tag.trim().toLowerCase().split('-')[0], q: quality === undefined ? 1 : Number(quality), index };
  });
  // `*` matches what the header does not name otherwise (RFC 4647 §3.3.1): English first, then French.
  const named = new Set(ranges.map((range) => range.primary));
  const wildcard = (['en', 'fr'] as const).find((language) => !named.has(language));
  const languageOf = (primary: string): ProblemLanguage | undefined =>
    primary === 'fr' || primary === 'en' ? primary : primary === '*' ? wildcard : undefined;
  const ranked = ranges
    .map((range) => ({ ...range, language: languageOf(range.primary) }))
    .filter((range) => range.language !== undefined && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.language ?? 'en';
}
