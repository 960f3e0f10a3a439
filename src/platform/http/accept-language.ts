/** Accept-Language ranges read, at most: a header is bounded by the server, this bounds the work. */
const MAX_RANGES = 32;

const QUALITY = /^\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$/i;

/**
 * The caller's preferred language among `supported`, from its Accept-Language
 * header (RFC 9110 §12.5.4): the highest q-value, the header's order on a
 * tie. A tag matches by its primary subtag (`fr-CA` is `fr`); a range of q=0
 * refuses that language; `*` stands for the first supported language the
 * header does not name (RFC 4647 §3.3.1). Undefined when the header names
 * none of them: each caller has its own default.
 */
export function preferredLanguage<L extends string>(
  header: string | undefined,
  supported: readonly L[],
): L | undefined {
  if (header === undefined) return undefined;
  const ranges = header.split(',', MAX_RANGES).map((range, index) => {
    const [tag, ...parameters] = range.split(';');
    const quality = parameters.map((p) => QUALITY.exec(p)?.[1]).find((q) => q !== undefined);
    return { primary: tag.trim().toLowerCase().split('-')[0], q: quality === undefined ? 1 : Number(quality), index };
  });
  const named = new Set(ranges.map((range) => range.primary));
  const wildcard = supported.find((language) => !named.has(language));
  const languageOf = (primary: string): L | undefined =>
    primary === '*' ? wildcard : supported.find((language) => language === primary);
  const ranked = ranges
    .map((range) => ({ ...range, language: languageOf(range.primary) }))
    .filter((range) => range.language !== undefined && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.language;
}
