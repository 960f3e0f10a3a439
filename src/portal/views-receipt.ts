import { createHash } from 'node:crypto';
import type { ConsentView } from '../consent/consent';
import { successBanner, summaryList } from './components';
import { html } from './html';
import { page, type PageContext } from './layout';
import type { Messages } from './messages';
import { endedAt, fieldWords, formatDate, organisation, productTitle, type Names } from './views-citizen';

/** The SHA-256 of the signed receipt as downloaded, in groups of four for reading aloud. */
export function receiptFingerprint(jws: string): string {
  return createHash('sha256').update(jws).digest('hex').match(/.{4}/g)?.join(' ') ?? '';
}

/** The receipt's facts as label and text, in the citizen's language: what the page and the PDF both say. */
export function receiptFacts(m: Messages, names: Names, consent: ConsentView, jws: string): [string, string][] {
  const r = m.receipt;
  const lang = m.lang;
  const purpose = names.catalogue.purposes.get(consent.purpose);
  const data = consent.products
    .map(
      (item) =>
        `${productTitle(names, lang, item.product)} : ${fieldWords(names, lang, consent.requester, consent.purpose, item).join(', ')}`,
    )
    .join('\n');
  const facts: ([string, string] | false)[] = [
    [r.who, organisation(names, consent.requester)],
    [r.what, data],
    [r.why, purpose?.title[lang] ?? consent.purpose],
    purpose?.legalReference !== undefined && [r.legalReference, purpose.legalReference],
    [r.use, m.mode[consent.mode]],
    [r.from, formatDate(lang, consent.validFrom, true)],
    [r.until, formatDate(lang, consent.validUntil, true)],
    consent.mode === 'ongoing' && [
      m.consents.updates,
      consent.keepUpToDate ? m.consents.keptUpToDate : m.consents.notKeptUpToDate,
    ],
    [r.status, m.status[consent.status]],
    [r.recordedOn, formatDate(lang, consent.createdAt, true)],
    consent.status === 'revoked' && [r.withdrawnOn, formatDate(lang, endedAt(consent), true)],
    [r.reference, consent.id],
    [r.fingerprint, receiptFingerprint(jws)],
  ];
  return facts.filter((fact): fact is [string, string] => fact !== false);
}

/** A receipt a person can read: what, who, why, until when, and the fingerprint of the signed file. */
export function receiptPage(
  context: PageContext,
  names: Names,
  consent: ConsentView,
  jws: string,
  notice?: string,
): string {
  const { m } = context;
  const r = m.receipt;
  return page(
    context,
    r.title,
    html`${successBanner(m.done, notice)}
      <p class="govuk-body">${r.intro}</p>
      <div class="passerelle-lines">
        ${summaryList(
          receiptFacts(m, names, consent, jws).map(([label, text]) =>
            label === r.fingerprint
              ? [label, html`<code>${text}</code><br /><span class="govuk-hint">${r.fingerprintHint}</span>`]
              : [label, text],
          ),
        )}
      </div>
      <ul class="govuk-list">
        <li>
          <a class="govuk-link" href="/consents/${consent.id}/receipt.pdf" download="consent-${consent.id}.pdf"
            >${r.downloadPdf}</a
          >
        </li>
        <li>
          <a class="govuk-link" href="/consents/${consent.id}/receipt.jws" download="consent-${consent.id}.jws"
            >${r.download}</a
          >
        </li>
      </ul>
      <p class="govuk-hint">${r.downloadHint}</p>`,
    { back: { href: '/consents', label: r.back } },
  );
}
