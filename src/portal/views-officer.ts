import type { AuditEvent, FilterQuery } from '../audit/audit-office.service';
import type { VerifyReport } from '../audit/audit-verify';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import type { Messages } from './messages';
import { formatDate, type Names } from './views-citizen';

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

function field(id: string, label: string, input: SafeHtml): SafeHtml {
  return html`<label for="${id}">${label} ${input}</label>`;
}

function choice(id: string, any: string, value: string | undefined, options: [string, string][]): SafeHtml {
  return html`<select id="${id}" name="${id}">
    <option value="">${any}</option>
    ${options.map(([v, text]) => html`<option value="${v}" ${v === value ? html`selected` : ''}>${text}</option>`)}
  </select>`;
}

/** The exchange's basis, the statute's reference, and when its citizen sees it if that is later. */
function basisCell(m: Messages, event: AuditEvent): SafeHtml {
  const basis = event.details?.basis;
  const reference = event.details?.legalReference;
  return html`${basis === 'consent' || basis === 'statute' ? m.audit.basisNames[basis] : ''}
  ${typeof reference === 'string' && basis === 'statute' ? html`<br /><small>${reference}</small>` : ''}
  ${event.disclosedFrom === undefined
    ? ''
    : html`<br /><strong>${m.audit.delayedUntil(formatDate(m.lang, event.disclosedFrom, true))}</strong>`}`;
}

export function auditPage(
  context: PageContext,
  names: Names,
  query: FilterQuery,
  result: { events: AuditEvent[]; nextCursor: string | null },
): string {
  const { m } = context;
  const lang = m.lang;
  const a = m.audit;
  const text = (id: string, type = 'text'): SafeHtml =>
    html`<input id="${id}" name="${id}" type="${type}" value="${query[id] ?? ''}" />`;
  const orgs = [...names.organisations].map(([id, name]): [string, string] => [id, name]);
  const products = names.catalogue.contracts.map((c): [string, string] => [c.product, c.title[lang]]);
  const purposes = [...names.catalogue.purposes.values()].map((p): [string, string] => [p.code, p.title[lang]]);
  const rows = result.events.map(
    (e) =>
      html`<tr>
        <td><a href="/officer/audit/${e.seq}">${e.seq}</a></td>
        <td>${formatDate(lang, e.recordedAt, true)}</td>
        <td>${e.kind}</td>
        <td>${e.organisation ?? ''}</td>
        <td>${e.product ?? ''}</td>
        <td>${e.purpose ?? ''}</td>
        <td>${basisCell(m, e)}</td>
        <td>${e.decision === undefined ? '' : (m.decision[e.decision] ?? e.decision)}</td>
        <td>${e.reason ?? ''}</td>
      </tr>`,
  );
  return page(
    context,
    a.title,
    html`<form class="filters" method="get" action="/officer/audit">
        ${field('citizen', a.citizen, text('citizen'))}
        ${field('org', a.organisation, choice('org', a.any, query.org, orgs))}
        ${field('product', a.product, choice('product', a.any, query.product, products))}
        ${field('purpose', a.purpose, choice('purpose', a.any, query.purpose, purposes))}
        ${field('decision', a.decision, choice('decision', a.any, query.decision, Object.entries(m.decision)))}
        ${field('basis', a.basis, choice('basis', a.any, query.basis, Object.entries(a.basisNames)))}
        ${field('from', a.from, text('from', 'datetime-local'))} ${field('to', a.to, text('to', 'datetime-local'))}
        <button type="submit">${a.search}</button>
      </form>
      <p>
        <a class="button secondary" href="/officer/audit/export.csv${filterQuery(query)}" download>${a.exportCsv}</a>
      </p>
      <p role="status">${a.results(result.events.length)}</p>
      ${result.events.length === 0
        ? html`<p>${a.none}</p>`
        : html`<table>
            <caption>
              ${a.title}
            </caption>
            <thead>
              <tr>
                <th scope="col">${a.seq}</th>
                <th scope="col">${a.when}</th>
                <th scope="col">${a.kind}</th>
                <th scope="col">${a.organisation}</th>
                <th scope="col">${a.product}</th>
                <th scope="col">${a.purpose}</th>
                <th scope="col">${a.basis}</th>
                <th scope="col">${a.decision}</th>
                <th scope="col">${a.reason}</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`}
      ${result.nextCursor === null
        ? ''
        : html`<p><a href="/officer/audit${filterQuery(query, { cursor: result.nextCursor })}">${a.next}</a></p>`}`,
  );
}

export function eventPage(context: PageContext, event: AuditEvent): string {
  const { m } = context;
  const { details, ...fields } = event;
  return page(
    context,
    m.audit.eventTitle(event.seq),
    html`${event.disclosedFrom === undefined
        ? ''
        : html`<p class="notice">${m.audit.delayedUntil(formatDate(m.lang, event.disclosedFrom, true))}</p>`}
      <dl>
        ${Object.entries(fields).map(
          ([name, value]) =>
            html`<dt>${name}</dt>
              <dd>${String(value)}</dd>`,
        )}
      </dl>
      ${details === undefined
        ? ''
        : html`<h2>${m.audit.details}</h2>
            <pre>${JSON.stringify(details, null, 2)}</pre>`}
      <p><a href="/officer/audit">${m.audit.back}</a></p>`,
  );
}

export function integrityPage(context: PageContext, report: VerifyReport): string {
  const { m } = context;
  const i = m.integrity;
  return page(
    context,
    i.title,
    html`${report.ok
        ? html`<p class="notice" role="status">${i.ok}</p>`
        : html`<p class="alert" role="alert">${i.broken(report.failure?.seq ?? 0, report.failure?.reason ?? '')}</p>`}
      <dl>
        <dt>${i.verified}</dt>
        <dd>${report.verified}</dd>
        <dt>${i.head}</dt>
        <dd>${report.head.seq} · <code>${report.head.hash}</code></dd>
        <dt>${i.checkpoints}</dt>
        <dd>${report.checkpoints}</dd>
        <dt>${i.lastCheckpoint}</dt>
        <dd>
          ${report.latestCheckpoint === null
            ? i.noCheckpoint
            : `${report.latestCheckpoint.seq} · ${formatDate(m.lang, report.latestCheckpoint.at, true)}`}
        </dd>
        <dt>${i.seconds}</dt>
        <dd>${report.seconds.toFixed(2)}</dd>
      </dl>`,
  );
}
