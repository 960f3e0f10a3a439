import type { ValueShape } from '../my-data/value-shape';
import { html, type SafeHtml } from './html';
import type { Lang } from './messages';
import type { MyDataMessages } from './messages-my-data';
import { formatDate } from './views-citizen';

/** One value of a product, as a citizen reads it; `path` is `product.field`, for the words of coded values. */
export interface ValueToShow {
  path: string;
  shape: ValueShape;
  /** False when the source's record does not have the field at all. */
  present: boolean;
  value?: unknown;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const locale = (lang: Lang): string => (lang === 'fr' ? 'fr-CA' : 'en-CA');

/**
 * A calendar date (`YYYY-MM-DD`) in words. Not `formatDate`: a date alone is
 * no instant, and read as UTC midnight it would show the day before in Quebec.
 */
export function formatDay(lang: Lang, day: string): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

/** The shape a value has when its schema's does not fit it: read from the value itself. */
function shapeOfValue(value: unknown): ValueShape {
  if (typeof value === 'boolean') return { kind: 'boolean' };
  if (typeof value === 'number') return Number.isInteger(value) ? { kind: 'integer' } : { kind: 'number' };
  if (Array.isArray(value)) return { kind: 'list', items: { kind: 'text' } };
  if (typeof value === 'object' && value !== null) {
    return { kind: 'record', properties: Object.keys(value).map((name) => ({ name, shape: { kind: 'text' } })) };
  }
  return { kind: 'text' };
}

function fits(shape: ValueShape, value: unknown): boolean {
  switch (shape.kind) {
    case 'text':
      return typeof value === 'string' || typeof value === 'number';
    case 'date':
      return typeof value === 'string' && DAY.test(value);
    case 'date-time':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'integer':
    case 'amount':
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'record':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** A value in the citizen's language: dates in words, amounts with their cents, codes in words, records laid out. */
export function valueHtml(words: MyDataMessages, lang: Lang, shown: ValueToShow): SafeHtml | string {
  const { value } = shown;
  if (!shown.present || value === null || value === undefined) return words.values.notGiven;
  const shape = fits(shown.shape, value) ? shown.shape : shapeOfValue(value);
  switch (shape.kind) {
    case 'date':
      return formatDay(lang, value as string);
    case 'date-time':
      return formatDate(lang, value as string, true);
    case 'integer':
      return (value as number).toString();
    case 'amount':
      return new Intl.NumberFormat(locale(lang), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
        value as number,
      );
    case 'number':
      return new Intl.NumberFormat(locale(lang)).format(value as number);
    case 'boolean':
      return value === true ? words.values.yes : words.values.no;
    case 'text': {
      const text = typeof value === 'number' ? value.toString() : (value as string);
      return words.codes[shown.path]?.[text] ?? text;
    }
    case 'list':
      return listHtml(words, lang, shown.path, shape.items, value as unknown[]);
    case 'record':
      return recordHtml(words, lang, shown.path, shape, value as Record<string, unknown>);
  }
}

function partName(words: MyDataMessages, path: string, part: { name: string; title?: string }): string {
  return words.parts[`${path}.${part.name}`] ?? part.title ?? part.name;
}

function partOf(path: string, part: { name: string; shape: ValueShape }, record: Record<string, unknown>): ValueToShow {
  return {
    path: `${path}.${part.name}`,
    shape: part.shape,
    present: Object.hasOwn(record, part.name),
    value: record[part.name],
  };
}

/** A list of records is a table, one column per part; a list of plain values, a list. */
function listHtml(words: MyDataMessages, lang: Lang, path: string, items: ValueShape, values: unknown[]): SafeHtml {
  if (values.length === 0) return html`${words.values.none}`;
  if (items.kind === 'record' && values.every((item) => fits(items, item))) {
    const records = values as Record<string, unknown>[];
    const numeric = (shape: ValueShape): boolean => ['amount', 'number', 'integer'].includes(shape.kind);
    return html`<table class="govuk-table govuk-!-margin-bottom-0 passerelle-stack">
      <thead class="govuk-table__head">
        <tr class="govuk-table__row">
          ${items.properties.map(
            (part) =>
              html`<th
                scope="col"
                class="govuk-table__header${numeric(part.shape) ? ' govuk-table__header--numeric' : ''}"
              >
                ${partName(words, path, part)}
              </th>`,
          )}
        </tr>
      </thead>
      <tbody class="govuk-table__body">
        ${records.map(
          (record) =>
            html`<tr class="govuk-table__row">
              ${items.properties.map(
                (part) =>
                  html`<td
                    class="govuk-table__cell${numeric(part.shape) ? ' govuk-table__cell--numeric' : ''}"
                    data-label="${partName(words, path, part)}"
                  >
                    ${valueHtml(words, lang, partOf(path, part, record))}
                  </td>`,
              )}
            </tr>`,
        )}
      </tbody>
    </table>`;
  }
  return html`<ul class="govuk-list">
    ${values.map(
      (item) => html`<li>${valueHtml(words, lang, { path, shape: items, present: true, value: item })}</li>`,
    )}
  </ul>`;
}

/** A record is a small list of its parts, each named. */
function recordHtml(
  words: MyDataMessages,
  lang: Lang,
  path: string,
  shape: Extract<ValueShape, { kind: 'record' }>,
  record: Record<string, unknown>,
): SafeHtml {
  return html`<dl class="govuk-summary-list govuk-summary-list--no-border">
    ${shape.properties.map(
      (part) =>
        html`<div class="govuk-summary-list__row">
          <dt class="govuk-summary-list__key">${partName(words, path, part)}</dt>
          <dd class="govuk-summary-list__value">${valueHtml(words, lang, partOf(path, part, record))}</dd>
        </div>`,
    )}
  </dl>`;
}
