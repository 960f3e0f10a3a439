/** GOV.UK Frontend components as the portal's pages use them: markup only, no script. */
import { html, type SafeHtml } from './html';

type Content = SafeHtml | string;

/** A list of label and value pairs (`govuk-summary-list`). */
export function summaryList(rows: readonly (readonly [string, Content] | undefined | false)[]): SafeHtml {
  return html`<dl class="govuk-summary-list">
    ${rows
      .filter((row): row is readonly [string, Content] => Array.isArray(row))
      .map(
        ([key, value]) =>
          html`<div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">${key}</dt>
            <dd class="govuk-summary-list__value passerelle-break">${value}</dd>
          </div>`,
      )}
  </dl>`;
}

/** A card: a title, its actions (links or forms) and a summary list. */
export function summaryCard(
  title: string,
  actions: readonly SafeHtml[],
  rows: readonly (readonly [string, Content] | undefined | false)[],
  headingId?: string,
): SafeHtml {
  return html`<section
    class="govuk-summary-card"
    ${headingId === undefined ? '' : html`aria-labelledby="${headingId}"`}
  >
    <div class="govuk-summary-card__title-wrapper">
      <h3 class="govuk-summary-card__title" ${headingId === undefined ? '' : html`id="${headingId}"`}>${title}</h3>
      ${actions.length === 0
        ? ''
        : html`<ul class="govuk-summary-card__actions">
            ${actions.map((action) => html`<li class="govuk-summary-card__action">${action}</li>`)}
          </ul>`}
    </div>
    <div class="govuk-summary-card__content">${summaryList(rows)}</div>
  </section>`;
}

/** The confirmation of what the citizen just did, announced to screen readers. */
export function successBanner(title: string, text: string | undefined): SafeHtml | '' {
  if (text === undefined) return '';
  return html`<div
    class="govuk-notification-banner govuk-notification-banner--success"
    role="alert"
    aria-labelledby="success-title"
  >
    <div class="govuk-notification-banner__header">
      <h2 class="govuk-notification-banner__title" id="success-title">${title}</h2>
    </div>
    <div class="govuk-notification-banner__content">
      <p class="govuk-notification-banner__heading">${text}</p>
    </div>
  </div>`;
}

/** The errors of a form, each linked to its field, at the top of the page. */
export function errorSummary(title: string, errors: readonly { field: string; text: string }[]): SafeHtml | '' {
  if (errors.length === 0) return '';
  return html`<div class="govuk-error-summary" data-module="govuk-error-summary">
    <div role="alert">
      <h2 class="govuk-error-summary__title">${title}</h2>
      <div class="govuk-error-summary__body">
        <ul class="govuk-list govuk-error-summary__list">
          ${errors.map((error) => html`<li><a href="#${error.field}">${error.text}</a></li>`)}
        </ul>
      </div>
    </div>
  </div>`;
}

export interface Column {
  header: string;
  /** Narrow columns stay narrow on a wide screen. */
  numeric?: boolean;
}

/**
 * A table that becomes stacked summaries on a narrow screen (`passerelle-stack`):
 * each cell then carries its column's header, so nothing scrolls sideways.
 */
export function stackedTable(caption: string, columns: readonly Column[], rows: readonly Content[][]): SafeHtml {
  return html`<table class="govuk-table passerelle-stack">
    <caption class="govuk-table__caption govuk-table__caption--m">
      ${caption}
    </caption>
    <thead class="govuk-table__head">
      <tr class="govuk-table__row">
        ${columns.map(
          (column) =>
            html`<th
              scope="col"
              class="govuk-table__header${column.numeric === true ? ' govuk-table__header--numeric' : ''}"
            >
              ${column.header}
            </th>`,
        )}
      </tr>
    </thead>
    <tbody class="govuk-table__body">
      ${rows.map(
        (cells) =>
          html`<tr class="govuk-table__row">
            ${cells.map(
              (cell, index) =>
                html`<td class="govuk-table__cell" data-label="${columns[index]?.header ?? ''}">${cell}</td>`,
            )}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A `<select>` with a label above it, for filters. */
export function selectField(
  id: string,
  label: string,
  any: string,
  value: string | undefined,
  options: readonly (readonly [string, string])[],
): SafeHtml {
  return html`<div class="govuk-form-group passerelle-filter">
    <label class="govuk-label" for="${id}">${label}</label>
    <select class="govuk-select" id="${id}" name="${id}">
      <option value="">${any}</option>
      ${options.map(([v, text]) => html`<option value="${v}" ${v === value ? html`selected` : ''}>${text}</option>`)}
    </select>
  </div>`;
}

/** A paragraph per item. */
export function paragraphs(items: readonly string[]): SafeHtml {
  return html`${items.map((text) => html`<p class="govuk-body">${text}</p>`)}`;
}

/** A language, as the switch names it: its code, its name in itself, and (for the other one) where it leads. */
export interface LanguageLink {
  lang: string;
  name: string;
  href?: string;
}

/**
 * The language switch on the brand-coloured bar (GOV.UK language navigation):
 * the current language, when named, then a link to the other.
 */
export function languageNavigation(
  label: string,
  other: LanguageLink & { href: string },
  current?: LanguageLink,
): SafeHtml {
  return html`<nav class="govuk-language-navigation govuk-language-navigation--inverse" aria-label="${label}">
    <ul class="govuk-language-navigation__list">
      ${current === undefined
        ? ''
        : html`<li class="govuk-language-navigation__list-item">
            <span class="govuk-language-navigation__text" lang="${current.lang}" aria-current="true"
              >${current.name}</span
            >
          </li>`}
      <li class="govuk-language-navigation__list-item">
        <a
          class="govuk-language-navigation__link"
          href="${other.href}"
          lang="${other.lang}"
          hreflang="${other.lang}"
          rel="alternate"
          >${other.name}</a
        >
      </li>
    </ul>
  </nav>`;
}
