import { preferredLanguage } from '../http/accept-language';

/** The languages a problem's `detail` is written in. */
export type ProblemLanguage = 'en' | 'fr';
const PROBLEM_LANGUAGES: readonly ProblemLanguage[] = ['en', 'fr'];

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
  // English first: it is also what `*` stands for when the header names neither.
  return preferredLanguage(header, PROBLEM_LANGUAGES) ?? 'en';
}
