import type { AuditEvent, FilterQuery } from '../audit/audit-office.service';
import type { VerifyReport } from '../audit/audit-verify';
import { selectField, stackedTable, summaryList } from './components';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import type { Messages } from './messages';
import { formatDate, organisation, productTitle, purposeTitle, type Names } from './views-citizen';

const FILTERS = ['citizen', 'org', 'product', 'purpose', 'decision', 'basis', 'from', 'to'] as const;

/** The query string of the filters that are set, for the next page and the export. */
export function filterQuery(query: FilterQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = query[name];
    if (value !== undefined && value !== '') params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** An event's codes in words: what happened, who, what, why; a code without a name shows as it is. */
export function eventWords(
  m: Messages,
  names: Names,
  event: AuditEvent,
): Record<'kind' | 'organisation' | 'product' | 'purpose' | 'decision' | 'reason', string> {
  const o = m.officer;
  const lang = m.lang;
  return {
    kind: o.kinds[event.kind] ?? event.kind,
    organisation: event.organisation === undefined ? '' : organisation(names, event.organisation),
    product: event.product === undefined ? '' : productTitle(names, lang, event.product),
    purpose: event.purpose === undefined ? '' : purposeTitle(names, lang, event.purpose),
    decision:
      event.decision === undefined ? '' : (m.decision[event.decision as keyof Messages['decision']] ?? event.decision),
    reason: event.reason === undefined ? '' : (o.reasons[event.reason] ?? event.reason),
  };
}

/** The exchange's basis, the statute's reference, and when its citizen sees it if that is later. */
function basisCell(m: Messages, event: AuditEvent): SafeHtml {
  const o = m.officer;
  const basis = event.details?.basis;
  const reference = event.details?.legalReference;
  return html`${basis === 'consent' || basis === 'statute' ? o.basisNames[basis] : ''}
  ${typeof reference === 'string' && basis === 'statute'
    ? html`<br /><span class="govuk-hint">${reference}</span>`
    : ''}
  ${event.disclosedFrom === undefined
    ? ''
    : html`<br /><strong>${o.delayedUntil(formatDate(m.lang, event.disclosedFrom, true))}</strong>`}`;
}

export function auditPage(
  context: PageContext,
  names: Names,
  query: FilterQuery,
  result: { events: AuditEvent[]; nextCursor: string | null },
): string {
  const { m } = context;
  const lang = m.lang;
  const o = m.officer;
  const text = (id: 'citizen' | 'from' | 'to', label: string, type = 'text', hint?: string): SafeHtml =>
    html`<div class="govuk-form-group passerelle-filter">
      <label class="govuk-label" for="${id}">${label}</label>
      ${hint === undefined ? '' : html`<div class="govuk-hint" id="${id}-hint">${hint}</div>`}
      <input
        class="govuk-input"
        id="${id}"
        name="${id}"
        type="${type}"
        value="${query[id] ?? ''}"
        ${hint === undefined ? '' : html`aria-describedby="${id}-hint"`}
      />
    </div>`;
  const orgs = [...names.organisations].map(([id, name]): [string, string] => [id, name]);
  const products = names.catalogue.contracts.map((c): [string, string] => [c.product, c.title[lang]]);
  const purposes = [...names.catalogue.purposes.values()].map((p): [string, string] => [p.code, p.title[lang]]);
  const rows = result.events.map((e) => {
    const words = eventWords(m, names, e);
    return [
      html`<a class="govuk-link" href="/officer/audit/${e.seq}">${e.seq}</a>`,
      html`${formatDate(lang, e.recordedAt, true)}`,
      html`${words.kind}`,
      html`${words.organisation}`,
      html`${words.product}`,
      html`${words.purpose}`,
      basisCell(m, e),
      html`${words.decision}${words.reason === '' ? '' : html`<br /><span class="govuk-hint">${words.reason}</span>`}`,
    ];
  });
  return page(
    context,
    o.title,
    html`<form class="passerelle-filters" method="get" action="/officer/audit">
        ${text('citizen', o.citizen, 'text', o.citizenHint)}
        ${selectField('org', o.organisation, o.any, query.org, orgs)}
        ${selectField('product', o.product, o.any, query.product, products)}
        ${selectField('purpose', o.purpose, o.any, query.purpose, purposes)}
        ${selectField('decision', o.decision, o.any, query.decision, Object.entries(m.decision))}
        ${selectField('basis', o.basis, o.any, query.basis, Object.entries(o.basisNames))}
        ${text('from', o.from, 'datetime-local')} ${text('to', o.to, 'datetime-local')}
        <button type="submit" class="govuk-button">${o.search}</button>
      </form>
      <p class="govuk-body">
        <a class="govuk-link" href="/officer/audit/export.csv${filterQuery(query)}" download>${o.exportCsv}</a>
      </p>
      <p class="govuk-body" role="status">${o.results(result.events.length)}</p>
      <p class="govuk-hint">${m.timeZoneNote}</p>
      ${result.events.length === 0
        ? html`<p class="govuk-body">${o.none}</p>`
        : stackedTable(
            o.title,
            [
              { header: o.seq },
              { header: o.when },
              { header: o.kind },
              { header: o.organisation },
              { header: o.product },
              { header: o.purpose },
              { header: o.basis },
              { header: o.decision },
            ],
            rows,
          )}
      ${result.nextCursor === null
        ? ''
        : html`<nav class="govuk-pagination" aria-label="${o.next}">
            <div class="govuk-pagination__next">
              <a
                class="govuk-link govuk-pagination__link"
                href="/officer/audit${filterQuery(query, { cursor: result.nextCursor })}"
                rel="next"
                ><span class="govuk-pagination__link-title">${o.next}</span></a
              >
            </div>
          </nav>`}`,
  );
}

/** A value of the recorded event as text: objects and lists as compact JSON. */
const asText = (value: unknown): string =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);

export function eventPage(context: PageContext, names: Names, event: AuditEvent): string {
  const { m } = context;
  const o = m.officer;
  const words = eventWords(m, names, event);
  const details = event.details ?? {};
  const fields = Array.isArray(details.fields) ? (details.fields as unknown[]).map(String) : [];
  const contract = event.product === undefined ? undefined : names.catalogue.latest(event.product);
  const { details: _details, ...recorded } = event;
  const codes = [...Object.entries(recorded), ...Object.entries(details).map(([k, v]) => [`details.${k}`, v] as const)];
  return page(
    context,
    o.eventTitle(event.seq),
    html`${event.disclosedFrom === undefined
        ? ''
        : html`<div class="govuk-inset-text">${o.delayedUntil(formatDate(m.lang, event.disclosedFrom, true))}</div>`}
      <h2 class="govuk-heading-m">${o.event.summary}</h2>
      ${summaryList([
        [o.when, formatDate(m.lang, event.recordedAt, true)],
        [o.kind, words.kind],
        words.organisation !== '' && [o.organisation, words.organisation],
        words.product !== '' && [o.product, words.product],
        words.purpose !== '' && [o.purpose, words.purpose],
        (details.basis === 'consent' || details.basis === 'statute') && [o.basis, o.basisNames[details.basis]],
        typeof details.legalReference === 'string' && [o.event.legalReference, details.legalReference],
        typeof details.caseRef === 'string' && [o.event.caseRef, details.caseRef],
        words.decision !== '' && [o.decision, words.decision],
        words.reason !== '' && [o.reason, words.reason],
        fields.length > 0 && [o.event.fields, fields.map((f) => contract?.fields[f]?.[m.lang] ?? f).join(', ')],
        event.correlationId !== undefined && [o.event.correlationId, html`<code>${event.correlationId}</code>`],
      ])}
      <details class="govuk-details">
        <summary class="govuk-details__summary">
          <span class="govuk-details__summary-text">${o.event.codes}</span>
        </summary>
        <div class="govuk-details__text">
          <p class="govuk-body">${o.event.codesHint}</p>
          ${summaryList(codes.map(([name, value]) => [name, html`<code>${asText(value)}</code>`] as const))}
        </div>
      </details>`,
    { back: { href: '/officer/audit', label: o.back } },
  );
}

export function integrityPage(context: PageContext, report: VerifyReport): string {
  const { m } = context;
  const i = m.officer.integrity;
  return page(
    context,
    i.title,
    html`${report.ok
      ? html`<div class="govuk-panel govuk-panel--confirmation passerelle-panel" role="status">
          <div class="govuk-panel__body">${i.ok}</div>
        </div>`
      : html`<div class="govuk-error-summary" role="alert">
          <p class="govuk-error-summary__title">${i.broken(report.failure?.seq ?? 0, report.failure?.reason ?? '')}</p>
        </div>`}
    ${summaryList([
      [i.verified, String(report.verified)],
      [i.head, html`${report.head.seq} · <code>${report.head.hash}</code>`],
      [i.checkpoints, String(report.checkpoints)],
      [
        i.lastCheckpoint,
        report.latestCheckpoint === null
          ? i.noCheckpoint
          : `${report.latestCheckpoint.seq} · ${formatDate(m.lang, report.latestCheckpoint.at, true)}`,
      ],
      [i.seconds, report.seconds.toFixed(2)],
    ])}`,
  );
}
