import type { JsonSyntaxReason } from '../http/json-syntax';
import type { ProblemLanguage } from './problem-language';
import { renderProblemMessage, type ProblemMessage } from './problem-messages';

const REASONS: JsonSyntaxReason[] = [
  'empty',
  'end-of-input',
  'unterminated-string',
  'expected-value',
  'bad-literal',
  'bad-number',
  'control-character',
  'bad-escape',
  'expected-name',
  'expected-colon',
  'expected-comma-or-brace',
  'expected-comma-or-bracket',
  'trailing-content',
];

describe('renderProblemMessage', () => {
  it.each<[ProblemMessage, string, string]>([
    [
      { id: 'product-not-in-catalogue', product: 'saaq.adress', version: 1, suggestion: 'saaq.adresse' },
      'No product `saaq.adress` version 1 in your catalogue. Did you mean `saaq.adresse`?',
      'Aucun produit `saaq.adress` version 1 dans votre catalogue. Vouliez-vous dire `saaq.adresse` ?',
    ],
    [
      { id: 'product-not-in-catalogue', product: 'ramq.dossier-medical', version: 1 },
      'No product `ramq.dossier-medical` version 1 in your catalogue.',
      'Aucun produit `ramq.dossier-medical` version 1 dans votre catalogue.',
    ],
    [
      { id: 'product-not-in-catalogue', product: 'saaq.adresse', version: 'unreadable' },
      'No product `saaq.adresse` in your catalogue at that version: a version is a whole number from 1.',
      'Aucun produit `saaq.adresse` dans votre catalogue à cette version : une version est un nombre entier à partir de 1.',
    ],
    [
      { id: 'product-not-in-catalogue' },
      'No such product in your catalogue.',
      'Aucun tel produit dans votre catalogue.',
    ],
    [
      { id: 'json-malformed', reason: 'expected-comma-or-brace', line: 3, column: 14, offset: 37 },
      'The body is not valid JSON at line 3, column 14 (character 37): expected `,` or `}`.',
      'Le corps n’est pas du JSON valide à la ligne 3, colonne 14 (caractère 37) : `,` ou `}` est attendu.',
    ],
    [
      { id: 'json-too-deep', maxDepth: 32 },
      'The JSON is nested deeper than 32 levels of objects or arrays.',
      'Le JSON est imbriqué sur plus de 32 niveaux d’objets ou de tableaux.',
    ],
    [
      { id: 'json-duplicate-member' },
      'A JSON object names the same member twice.',
      'Un objet JSON nomme deux fois le même membre.',
    ],
    [
      { id: 'json-forbidden-member' },
      'A JSON object has a `__proto__` or `constructor.prototype` member, which is refused.',
      'Un objet JSON a un membre `__proto__` ou `constructor.prototype`, qui est refusé.',
    ],
    [
      { id: 'media-type-unsupported', expected: 'application/json' },
      'This content type is not accepted here: send `application/json`.',
      'Ce type de contenu n’est pas accepté ici : envoyez `application/json`.',
    ],
  ])('writes %o in English and French', (message, en, fr) => {
    expect(renderProblemMessage(message, 'en')).toBe(en);
    expect(renderProblemMessage(message, 'fr')).toBe(fr);
  });

  it.each(REASONS)('gives the JSON reason %s words of its own in each language', (reason) => {
    const texts = (language: ProblemLanguage): string[] =>
      REASONS.map((r) =>
        renderProblemMessage({ id: 'json-malformed', reason: r, line: 1, column: 1, offset: 0 }, language),
      );
    for (const language of ['en', 'fr'] as const) {
      const all = texts(language);
      const mine = all[REASONS.indexOf(reason)];
      expect(all.filter((text) => text === mine)).toHaveLength(1);
    }
    expect(texts('en')[REASONS.indexOf(reason)]).not.toBe(texts('fr')[REASONS.indexOf(reason)]);
  });
});
