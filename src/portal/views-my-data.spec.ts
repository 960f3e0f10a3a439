import { Catalogue } from '../contracts/catalogue';
import type { ProductView, RequestPreview, ShownField } from '../my-data/my-data.service';
import { messagesFor, type Lang } from './messages';
import { MY_DATA_MESSAGES } from './messages-my-data';
import { formatDay, valueHtml } from './my-data-values';
import { myInformationPage, previewPage, productPage } from './views-my-data';
import type { Names } from './views-citizen';

const NAMES: Names = {
  catalogue: new Catalogue([], []),
  organisations: new Map([
    ['rq', 'Revenu Québec'],
    ['afe', 'Aide financière aux études'],
  ]),
};
const contextOf = (lang: Lang) => ({
  m: messagesFor(lang),
  path: '/my-information',
  session: { subject: 'demo-citizen-1', officer: false, csrf: 'csrf-token' },
});
const text = (value: unknown): string => String(value);
const LINES = {
  kind: 'list',
  items: {
    kind: 'record',
    properties: [
      { name: 'line', shape: { kind: 'text' } },
      { name: 'description', shape: { kind: 'text' } },
      { name: 'amount', shape: { kind: 'amount' } },
    ],
  },
} as const;
const FIELDS: ShownField[] = [
  { name: 'taxYear', label: { fr: "Année d'imposition", en: 'Tax year' }, shape: { kind: 'integer' }, value: 2025 },
  {
    name: 'assessmentDate',
    label: { fr: 'Date de la cotisation', en: 'Assessment date' },
    shape: { kind: 'date' },
    value: '2026-04-18',
  },
  { name: 'netIncome', label: { fr: 'Revenu net', en: 'Net income' }, shape: { kind: 'amount' }, value: 17900.5 },
  {
    name: 'lines',
    label: { fr: 'Lignes de la déclaration', en: 'Return lines' },
    shape: LINES,
    value: [{ line: '15000', description: 'Revenu <total>', amount: 18400 }],
  },
  { name: 'balance', label: { fr: 'Solde', en: 'Balance' }, shape: { kind: 'amount' } },
];
const VIEW: ProductView = {
  product: 'revenu.avis-cotisation',
  version: 1,
  title: { fr: 'Avis de cotisation', en: 'Notice of assessment' },
  owner: 'rq',
  data: { status: 'shown', fields: FIELDS },
};

describe('the values of a product, as a citizen reads them', () => {
  const fr = MY_DATA_MESSAGES.fr;
  const en = MY_DATA_MESSAGES.en;

  it('writes a calendar date as that day, whatever the time zone', () => {
    expect(formatDay('fr', '1999-03-14')).toBe('14 mars 1999');
    expect(formatDay('en', '1999-03-14')).toBe('March 14, 1999');
    expect(valueHtml(fr, 'fr', { path: 'p.d', shape: { kind: 'date' }, present: true, value: '2026-01-01' })).toBe(
      '1 janvier 2026',
    );
  });

  it('writes amounts with their cents in each language, a year without grouping, booleans and codes in words', () => {
    const amount = { path: 'p.a', shape: { kind: 'amount' }, present: true, value: -423.17 } as const;
    expect(text(valueHtml(fr, 'fr', amount)).replace(/\s/g, ' ')).toBe('-423,17');
    expect(valueHtml(en, 'en', { ...amount, value: 17900.5 })).toBe('17,900.50');
    expect(valueHtml(fr, 'fr', { path: 'p.y', shape: { kind: 'integer' }, present: true, value: 2025 })).toBe('2025');
    expect(valueHtml(fr, 'fr', { path: 'p.b', shape: { kind: 'boolean' }, present: true, value: true })).toBe('Oui');
    expect(valueHtml(en, 'en', { path: 'p.b', shape: { kind: 'boolean' }, present: true, value: false })).toBe('No');
    const sex = { path: 'etat-civil.naissance.sex', shape: { kind: 'text' }, present: true, value: 'F' } as const;
    expect(valueHtml(fr, 'fr', sex)).toBe('Féminin');
    expect(valueHtml(fr, 'fr', { ...sex, value: 'Q' })).toBe('Q');
  });

  it('says a missing or empty value is not given, and an empty list holds none', () => {
    expect(valueHtml(fr, 'fr', { path: 'p.u', shape: { kind: 'text' }, present: true, value: null })).toBe(
      'Non indiqué',
    );
    expect(valueHtml(en, 'en', { path: 'p.u', shape: { kind: 'text' }, present: false })).toBe('Not given');
    expect(text(valueHtml(fr, 'fr', { path: 'p.l', shape: LINES, present: true, value: [] }))).toBe('Aucune');
  });

  it('reads a value its schema does not describe by what it is, escaped', () => {
    const odd = valueHtml(en, 'en', {
      path: 'p.o',
      shape: { kind: 'date' },
      present: true,
      value: { street: '<b>Main</b>', nested: { deep: true } },
    });
    expect(text(odd)).toContain('&lt;b&gt;Main&lt;/b&gt;');
    expect(text(odd)).toContain('<dt class="govuk-summary-list__key">deep</dt>');
    expect(text(odd)).toContain('Yes');
  });
});

describe('the "my information" pages', () => {
  it('lists the products with who holds them, each linked to its page', () => {
    const page = myInformationPage(contextOf('fr'), NAMES, [
      { product: 'revenu.avis-cotisation', version: 1, title: VIEW.title, owner: 'rq' },
    ]);
    expect(page).toContain('<h1 class="govuk-heading-l">Mes renseignements</h1>');
    expect(page).toContain('href="/my-information/revenu.avis-cotisation"');
    expect(page).toContain('Détenu par Revenu Québec');
    expect(page).not.toContain('<script');
  });

  it('shows every field of a product with its contract label, dates and amounts in words, lines as a table', () => {
    const page = productPage(contextOf('en'), NAMES, VIEW);
    expect(page).toContain('<h1 class="govuk-heading-l">Notice of assessment</h1>');
    expect(page).toContain('href="/my-information" class="govuk-back-link"');
    expect(page).toContain('<dt class="govuk-summary-list__key">Tax year</dt>');
    expect(page).toContain('April 18, 2026');
    expect(page).toContain('17,900.50');
    expect(page).toMatch(/<th\s+scope="col"\s+class="govuk-table__header govuk-table__header--numeric"\s*>\s*Amount/);
    expect(page).toContain('Revenu &lt;total&gt;');
    // A field the record does not have is still listed, as not given.
    expect(page).toMatch(/Balance<\/dt>\s*<dd[^>]*>Not given<\/dd>/);
    expect(page).toContain('This information comes from Revenu Québec');
  });

  it('says when the holder has no record, or cannot answer now, and shows no values', () => {
    const none = productPage(contextOf('fr'), NAMES, { ...VIEW, data: { status: 'no-record' } });
    expect(none).toContain('Revenu Québec n’a aucun dossier à votre nom.');
    expect(none).not.toContain('govuk-summary-list__key');
    const down = productPage(contextOf('en'), NAMES, { ...VIEW, data: { status: 'unavailable' } });
    expect(down).toContain('Temporarily unavailable');
    expect(down).toContain('Revenu Québec’s system is not answering at the moment.');
  });

  it('shows what a request would send, product by product, with a way back to the requests', () => {
    const preview: RequestPreview = {
      requestId: '6f1c1a52-0b7e-4a43-9d43-2f1f7c1b8e10',
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: [
        {
          product: VIEW.product,
          title: VIEW.title,
          owner: 'rq',
          data: { status: 'shown', fields: FIELDS.slice(0, 1) },
        },
        { product: 'retired.product', title: null, owner: null, data: { status: 'not-sent' } },
        {
          product: 'etat-civil.naissance',
          title: { fr: 'Naissance', en: 'Birth' },
          owner: 'dec',
          data: { status: 'unavailable' },
        },
      ],
    };
    const page = previewPage(contextOf('fr'), NAMES, preview);
    expect(page).toContain('<h1 class="govuk-heading-l">Ce que recevrait Aide financière aux études</h1>');
    expect(page).toContain('href="/requests" class="govuk-back-link"');
    expect(page).toContain('Année d&#39;imposition');
    expect(page).not.toContain('Revenu net');
    expect(page).toContain('Provient de Revenu Québec');
    expect(page).toContain('Ce renseignement ne serait pas transmis');
    expect(page).toContain('Temporairement indisponible');
    // Deciding stays on the requests page: no form here.
    expect(page).not.toContain('/approve');
    expect(page).not.toContain('<form method="post" action="/requests');
  });
});
