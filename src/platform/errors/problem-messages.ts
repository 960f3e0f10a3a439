import type { JsonSyntaxReason } from '../http/json-syntax';
import type { ProblemLanguage } from './problem-language';

/**
 * A problem's `detail` as data: what to say, with only values the caller sent
 * or may already read. The words are chosen when the answer is written, in
 * the caller's language; `code` stays the same in every language, for machines.
 */
export type ProblemMessage =
  | {
      id: 'product-not-in-catalogue';
      /** The product as the caller named it; absent when the name is not one a product could have. */
      product?: string;
      version?: number | 'unreadable';
      /** A product of the caller's own catalogue (GET /v1/catalogue) with a name close to the one sent. */
      suggestion?: string;
    }
  | { id: 'json-malformed'; reason: JsonSyntaxReason; line: number; column: number; offset: number }
  | { id: 'json-too-deep'; maxDepth: number }
  | { id: 'json-duplicate-member' }
  | { id: 'json-forbidden-member' }
  | { id: 'media-type-unsupported'; expected: string };

type Words = Record<ProblemLanguage, string>;

const JSON_REASONS: Record<JsonSyntaxReason, Words> = {
  empty: { en: 'the body is empty', fr: 'le corps est vide' },
  'end-of-input': { en: 'the body ends before the JSON is complete', fr: 'le corps se termine avant la fin du JSON' },
  'unterminated-string': { en: 'a string is not closed', fr: 'une chaîne n’est pas fermée' },
  'expected-value': {
    en: 'expected a value (object, array, string, number, true, false or null)',
    fr: 'une valeur est attendue (objet, tableau, chaîne, nombre, true, false ou null)',
  },
  'bad-literal': {
    en: 'only true, false and null may be written without quotes',
    fr: 'seuls true, false et null s’écrivent sans guillemets',
  },
  'bad-number': { en: 'the number is malformed', fr: 'le nombre est mal formé' },
  'control-character': {
    en: 'a control character in a string must be escaped',
    fr: 'un caractère de contrôle doit être échappé dans une chaîne',
  },
  'bad-escape': { en: 'the escape sequence is not valid', fr: 'la séquence d’échappement n’est pas valide' },
  'expected-name': {
    en: 'expected a member name in double quotes',
    fr: 'un nom de membre entre guillemets doubles est attendu',
  },
  'expected-colon': { en: 'expected `:` after the member name', fr: '`:` est attendu après le nom du membre' },
  'expected-comma-or-brace': { en: 'expected `,` or `}`', fr: '`,` ou `}` est attendu' },
  'expected-comma-or-bracket': { en: 'expected `,` or `]`', fr: '`,` ou `]` est attendu' },
  'trailing-content': {
    en: 'something follows the JSON value',
    fr: 'quelque chose suit la valeur JSON',
  },
};

function productNotInCatalogue(
  message: Extract<ProblemMessage, { id: 'product-not-in-catalogue' }>,
  language: ProblemLanguage,
): string {
  const { product, version, suggestion } = message;
  const fr = language === 'fr';
  const named =
    product === undefined
      ? fr
        ? 'Aucun tel produit'
        : 'No such product'
      : fr
        ? `Aucun produit \`${product}\``
        : `No product \`${product}\``;
  let text: string;
  if (typeof version === 'number')
    text = `${named} version ${version} ${fr ? 'dans votre catalogue' : 'in your catalogue'}.`;
  else if (version === 'unreadable') {
    text = fr
      ? `${named} dans votre catalogue à cette version : une version est un nombre entier à partir de 1.`
      : `${named} in your catalogue at that version: a version is a whole number from 1.`;
  } else text = `${named} ${fr ? 'dans votre catalogue' : 'in your catalogue'}.`;
  if (suggestion !== undefined)
    text += fr ? ` Vouliez-vous dire \`${suggestion}\` ?` : ` Did you mean \`${suggestion}\`?`;
  return text;
}

/** The caller-facing `detail` of `message`, in `language`. */
export function renderProblemMessage(message: ProblemMessage, language: ProblemLanguage): string {
  const fr = language === 'fr';
  switch (message.id) {
    case 'product-not-in-catalogue':
      return productNotInCatalogue(message, language);
    case 'json-malformed': {
      const { line, column, offset, reason } = message;
      const why = JSON_REASONS[reason][language];
      return fr
        ? `Le corps n’est pas du JSON valide à la ligne ${line}, colonne ${column} (caractère ${offset}) : ${why}.`
        : `The body is not valid JSON at line ${line}, column ${column} (character ${offset}): ${why}.`;
    }
    case 'json-too-deep':
      return fr
        ? `Le JSON est imbriqué sur plus de ${message.maxDepth} niveaux d’objets ou de tableaux.`
        : `The JSON is nested deeper than ${message.maxDepth} levels of objects or arrays.`;
    case 'json-duplicate-member':
      return fr ? 'Un objet JSON nomme deux fois le même membre.' : 'A JSON object names the same member twice.';
    case 'json-forbidden-member':
      return fr
        ? 'Un objet JSON a un membre `__proto__` ou `constructor.prototype`, qui est refusé.'
        : 'A JSON object has a `__proto__` or `constructor.prototype` member, which is refused.';
    case 'media-type-unsupported':
      return fr
        ? `Ce type de contenu n’est pas accepté ici : envoyez \`${message.expected}\`.`
        : `This content type is not accepted here: send \`${message.expected}\`.`;
  }
}
