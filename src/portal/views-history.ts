import type { AccessEntry } from '../audit/audit-office.service';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import type { Messages } from './messages';
import { formatDate, organisation, productTitle, type Names } from './views-citizen';

export interface HistoryFilter {
  org?: string;
  product?: string;
  decision?: string;
}

function select(
  id: string,
  label: string,
  any: string,
  value: string | undefined,
  options: [string, string][],
): SafeHtml {
  return html`<label for="${id}"
    >${label}
    <select id="${id}" name="${id}">
      <option value="">${any}</option>
      ${options.map(([v, text]) => html`<option value="${v}" ${v === value ? html`selected` : ''}>${text}</option>`)}
    </select>
  </label>`;
}

/** A change notice in plain words: the organisation was told that this information changed. */
export function changeNoticeWords(m: Messages, entry: AccessEntry): string {
  return m.history.changeNotice(
    entry.organisationName ?? entry.organisation,
    entry.productTitle?.[m.lang] ?? entry.product,
  );
}

function entryRow(m: Messages, e: AccessEntry): SafeHtml {
  const lang = m.lang;
  const cells = html`<td>${formatDate(lang, e.when, true)}</td>
    <td>${e.organisationName ?? e.organisation}</td>
    <td>${e.productTitle?.[lang] ?? e.product}</td>
    <td>${e.purposeTitle?.[lang] ?? e.purpose}</td>`;
  if (e.kind === 'change-notice') {
    return html`<tr class="change-notice">
      ${cells}
      <td colspan="3">${changeNoticeWords(m, e)}</td>
    </tr>`;
  }
  return html`<tr>
    ${cells}
    <td>${basisWords(m, e)}</td>
    <td>${e.caseRef ?? ''}</td>
    <td>${m.decision[e.decision] ?? e.decision}</td>
  </tr>`;
}

/** Why the organisation could ask, in plain words: the citizen's consent, or a law and its reference. */
export function basisWords(m: Messages, entry: Pick<AccessEntry, 'basis' | 'legalReference'>): string {
  if (entry.basis === 'consent') return m.history.consentBasis;
  if (entry.basis === 'statute') return m.history.statuteBasis(entry.legalReference ?? '');
  return '';
}

export function historyPage(context: PageContext, names: Names, entries: AccessEntry[], filter: HistoryFilter): string {
  const { m } = context;
  const lang = m.lang;
  const shown = entries.filter(
    (e) =>
      (filter.org === undefined || e.organisation === filter.org) &&
      (filter.product === undefined || e.product === filter.product) &&
      (filter.decision === undefined || e.decision === filter.decision),
  );
  const orgs = [...new Set(entries.map((e) => e.organisation))].map((id): [string, string] => [
    id,
    organisation(names, id),
  ]);
  const products = [...new Set(entries.map((e) => e.product))].map((p): [string, string] => [
    p,
    productTitle(names, lang, p),
  ]);
  const decisions = Object.entries(m.decision);
  return page(
    context,
    m.history.title,
    html`<p>${m.history.intro}</p>
      <p>${m.history.basisExplained}</p>
      <p>${m.history.delayed}</p>
      <p>${m.history.changeNotices}</p>
      <form class="filters" method="get" action="/history">
        ${select('org', m.history.organisation, m.history.any, filter.org, orgs)}
        ${select('product', m.history.product, m.history.any, filter.product, products)}
        ${select('decision', m.history.decision, m.history.any, filter.decision, decisions)}
        <button type="submit">${m.history.filter}</button>
      </form>
      ${shown.length === 0
        ? html`<p>${m.history.none}</p>`
        : html`<table>
            <caption>
              ${m.history.title}
            </caption>
            <thead>
              <tr>
                <th scope="col">${m.history.when}</th>
                <th scope="col">${m.history.organisation}</th>
                <th scope="col">${m.history.product}</th>
                <th scope="col">${m.history.purpose}</th>
                <th scope="col">${m.history.basis}</th>
                <th scope="col">${m.history.caseRef}</th>
                <th scope="col">${m.history.decision}</th>
              </tr>
            </thead>
            <tbody>
              ${shown.map((e) => entryRow(m, e))}
            </tbody>
          </table>`}`,
  );
}
