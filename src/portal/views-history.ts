import type { AccessEntry } from '../audit/audit-office.service';
import { selectField, stackedTable } from './components';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import type { Messages } from './messages';
import { formatDate, organisation, productTitle, type Names } from './views-citizen';

export interface HistoryFilter {
  org?: string;
  product?: string;
  decision?: string;
}

/** A change notice in plain words: the organisation was told that this information changed. */
export function changeNoticeWords(m: Messages, entry: AccessEntry): string {
  return m.history.changeNotice(
    entry.organisationName ?? entry.organisation,
    entry.productTitle?.[m.lang] ?? entry.product,
  );
}

/** Why the organisation could ask, in plain words: the citizen's consent, or a law and its reference. */
export function basisWords(m: Messages, entry: Pick<AccessEntry, 'basis' | 'legalReference'>): string {
  if (entry.basis === 'consent') return m.history.consentBasis;
  if (entry.basis === 'statute') return m.history.statuteBasis(entry.legalReference ?? '');
  return '';
}

/** What came of it, in plain words: what was sent, or why nothing was. */
export function resultWords(m: Messages, names: Names, entry: AccessEntry): string {
  if (entry.decision === 'allow') {
    const contract = names.catalogue.latest(entry.product);
    const fields = entry.fields.map((field) => contract?.fields[field]?.[m.lang] ?? field);
    return fields.length === 0 ? m.decision.allow : `${m.decision.allow} : ${fields.join(', ')}`;
  }
  if (entry.decision === 'error') return m.history.errorWords;
  return (entry.reason === null ? undefined : m.history.refusedBecause[entry.reason]) ?? m.history.refusedOther;
}

function entryCells(m: Messages, names: Names, e: AccessEntry): SafeHtml[] {
  const lang = m.lang;
  const org = e.organisationName ?? e.organisation;
  const product = e.productTitle?.[lang] ?? e.product;
  const purpose = e.purposeTitle?.[lang] ?? e.purpose ?? '';
  const when = html`${formatDate(lang, e.when, true)}`;
  if (e.kind === 'own-view') {
    return [when, html`${m.history.you}`, html`${product}`, html``, html`${m.history.ownView(product, org)}`];
  }
  if (e.kind === 'own-preview') {
    return [
      when,
      html`${m.history.you}`,
      html`${product}`,
      html`${purpose}`,
      html`${m.history.ownPreview(org, product, purpose)}`,
    ];
  }
  const cells = [when, html`${org}`, html`${product}`];
  if (e.kind === 'change-notice') return [...cells, html`${purpose}`, html`${changeNoticeWords(m, e)}`];
  const basis = basisWords(m, e);
  return [
    ...cells,
    html`${purpose}${basis === '' ? '' : html`<br /><span class="govuk-hint">${basis}</span>`}${e.caseRef === null
      ? ''
      : html`<br /><span class="govuk-hint">${m.history.caseRef} : ${e.caseRef}</span>`}`,
    html`${resultWords(m, names, e)}`,
  ];
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
    html`<p class="govuk-body">${m.history.intro}</p>
      <details class="govuk-details">
        <summary class="govuk-details__summary">
          <span class="govuk-details__summary-text">${m.history.basis}</span>
        </summary>
        <div class="govuk-details__text">
          <p class="govuk-body">${m.history.basisExplained}</p>
          <p class="govuk-body">${m.history.delayed}</p>
          <p class="govuk-body">${m.history.changeNotices}</p>
        </div>
      </details>
      <form class="passerelle-filters" method="get" action="/history">
        ${selectField('org', m.history.organisation, m.history.any, filter.org, orgs)}
        ${selectField('product', m.history.product, m.history.any, filter.product, products)}
        ${selectField('decision', m.history.decision, m.history.any, filter.decision, decisions)}
        <button type="submit" class="govuk-button govuk-button--secondary">${m.history.filter}</button>
      </form>
      <p class="govuk-hint">${m.timeZoneNote}</p>
      ${shown.length === 0
        ? html`<p class="govuk-body">${m.history.none}</p>`
        : stackedTable(
            m.history.title,
            [
              { header: m.history.when },
              { header: m.history.organisation },
              { header: m.history.product },
              { header: m.history.purpose },
              { header: m.history.decision },
            ],
            shown.map((e) => entryCells(m, names, e)),
          )}`,
  );
}
