import { preferredLanguage } from '../../platform/http/accept-language';

/** The languages of the dev IdP's pages. */
export type IdpLang = 'fr' | 'en';
const IDP_LANGS: readonly IdpLang[] = ['fr', 'en'];

export function isIdpLang(value: unknown): value is IdpLang {
  return value === 'fr' || value === 'en';
}

/** `fr-CA` → `fr`: the primary subtag, lower-cased. */
const primaryOf = (tag: string): string => tag.trim().split('-')[0].toLowerCase();

/** The first of the client's `ui_locales` (space-separated BCP 47 tags, in order of preference) that a page speaks. */
function fromUiLocales(uiLocales: string): IdpLang | undefined {
  return uiLocales.split(' ').map(primaryOf).find(isIdpLang);
}

export interface LanguageHints {
  /** The page's own switch (`?lang=`, or the form's hidden field): the person's explicit choice. */
  chosen?: unknown;
  /** The authorization request's `ui_locales`: the client's word for the language its user reads. */
  uiLocales?: unknown;
  acceptLanguage?: string;
}

/** The language of a page: the person's choice, else the client's `ui_locales`, else the browser's, else French. */
export function chooseLanguage(hints: LanguageHints): IdpLang {
  if (isIdpLang(hints.chosen)) return hints.chosen;
  const requested = typeof hints.uiLocales === 'string' ? fromUiLocales(hints.uiLocales) : undefined;
  return requested ?? preferredLanguage(hints.acceptLanguage, IDP_LANGS) ?? 'fr';
}
