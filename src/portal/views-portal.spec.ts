import type { AccessEntry } from '../audit/audit-office.service';
import type { ConsentView } from '../consent/consent';
import type { ConsentRequestView } from '../consent/consent-request.service';
import { Catalogue } from '../contracts/catalogue';
import { langFromAcceptLanguage, messagesFor, type Lang } from './messages';
import { consentsPage, endedAt, type Names } from './views-citizen';
import { historyPage } from './views-history';
import { receiptPdf } from './receipt-pdf';
import { receiptFacts, receiptFingerprint } from './views-receipt';
import { requestsPage, requestUntil } from './views-requests';

const NAMES: Names = {
  catalogue: new Catalogue([], []),
  organisations: new Map([['afe', 'Aide financière aux études']]),
};
const contextOf = (lang: Lang) => ({
  m: messagesFor(lang),
  path: '/',
  session: { subject: 'demo-citizen-1', officer: false, csrf: 'csrf-token' },
});

const REQUEST: ConsentRequestView = {
  id: '6f1c1a52-0b7e-4a43-9d43-2f1f7c1b8e10',
  requester: 'afe',
  citizen: 'demo-citizen-1',
  purpose: 'afe.calcul-aide',
  products: [{ product: 'revenu.avis-cotisation' }],
  validUntil: null,
  mode: 'ongoing',
  keepUpToDate: true,
  message: null,
  status: 'pending',
  createdAt: '2026-03-01T00:00:00.000Z',
  decidedAt: null,
  consentId: null,
};
const BOX = /<input[^>]*type="checkbox"[^>]*>/;

describe('the approve form', () => {
  it('asks whether to keep the organisation up to date, ticked when it asked, in both languages', () => {
    const fr = requestsPage(contextOf('fr'), NAMES, [REQUEST]);
    expect(fr).toContain('Aviser cet organisme quand ces renseignements changent');
    expect(BOX.exec(fr)?.[0]).toMatch(/name="keepUpToDate"[^>]*value="yes"[^>]*checked/);
    expect(fr).toContain('name="keepUpToDateAsked" value="yes"');
    expect(fr).toContain(`for="keep-${REQUEST.id}"`);
    // The approve button submits the form that holds the checkbox.
    expect(fr).toContain(`<form id="approve-${REQUEST.id}" method="post" action="/requests/${REQUEST.id}/approve">`);
    expect(fr).toMatch(new RegExp(`<button type="submit" class="govuk-button" form="approve-${REQUEST.id}"`));
    expect(fr).toContain(`href="/requests/${REQUEST.id}/preview"`);
    const en = requestsPage(contextOf('en'), NAMES, [REQUEST]);
    expect(en).toContain('Tell this public body when this information changes');
  });

  it('leaves it unticked when the organisation did not ask', () => {
    const page = requestsPage(contextOf('fr'), NAMES, [{ ...REQUEST, keepUpToDate: false }]);
    expect(BOX.exec(page)?.[0]).toBeDefined();
    expect(BOX.exec(page)?.[0]).not.toContain('checked');
  });

  it('does not offer it for a one-time request', () => {
    const page = requestsPage(contextOf('fr'), NAMES, [{ ...REQUEST, mode: 'one-time', keepUpToDate: false }]);
    expect(page).not.toMatch(BOX);
    expect(page).not.toContain('keepUpToDateAsked');
    expect(page).toContain(`action="/requests/${REQUEST.id}/approve"`);
  });

  it('gives the end date of a request that names none: the purpose’s longest, from now', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    expect(requestUntil(REQUEST, 365, now)?.toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(requestUntil({ ...REQUEST, validUntil: '2026-06-01T00:00:00.000Z' }, 365, now)?.toISOString()).toBe(
      '2026-06-01T00:00:00.000Z',
    );
    expect(requestUntil(REQUEST, undefined, now)).toBeUndefined();
  });
});

describe('the consents page', () => {
  const consent = (id: string, fields: Partial<ConsentView>): ConsentView =>
    ({
      id,
      citizen: 'demo-citizen-1',
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: [{ product: 'revenu.avis-cotisation' }],
      validFrom: '2026-03-01T00:00:00.000Z',
      validUntil: '2026-09-01T00:00:00.000Z',
      mode: 'ongoing',
      keepUpToDate: false,
      status: 'active',
      createdAt: '2026-03-01T00:00:00.000Z',
      decidedAt: '2026-03-01T00:00:00.000Z',
      revokedAt: null,
      lastUsedAt: null,
      ...fields,
    }) as ConsentView;

  it('says of each consent whether it keeps the organisation up to date', () => {
    const page = consentsPage(contextOf('fr'), NAMES, [
      consent('a', { keepUpToDate: true }),
      consent('b', { keepUpToDate: false }),
    ]);
    expect(page).toContain('Informé de mes changements');
    expect(page).toContain('Oui : l’organisme est avisé quand ces renseignements changent');
    expect(page).toMatch(/Informé de mes changements<\/dt>\s*<dd[^>]*>Non<\/dd>/);
    const en = consentsPage(contextOf('en'), NAMES, [consent('a', { keepUpToDate: true })]);
    expect(en).toContain('Told of my changes');
  });

  it('shows a withdrawn consent with the day it was withdrawn, and a refused request apart, without a receipt', () => {
    const withdrawn = consent('w', { status: 'revoked', revokedAt: '2026-04-02T15:00:00.000Z' });
    const refused = consent('r', { status: 'refused', decidedAt: '2026-03-05T15:00:00.000Z' });
    const page = consentsPage(contextOf('fr'), NAMES, [withdrawn, refused]);
    expect(page).toContain('Retirée le');
    expect(page).toContain('2 avril 2026');
    expect(page).toContain('Demandes que vous avez refusées');
    expect(page).toContain('href="/consents/w/receipt"');
    expect(page).not.toContain('href="/consents/r/receipt"');
    expect(endedAt(withdrawn)).toBe('2026-04-02T15:00:00.000Z');
    expect(endedAt(consent('u', { status: 'expired', mode: 'one-time', lastUsedAt: '2026-03-02T00:00:00.000Z' }))).toBe(
      '2026-03-02T00:00:00.000Z',
    );
  });

  it('never calls a purpose "Fin"', () => {
    const page = consentsPage(contextOf('fr'), NAMES, [consent('a', {})]);
    expect(page).not.toMatch(/>\s*Fin\s*</);
    expect(page).toContain('Raison');
  });
});

describe('the history page', () => {
  const entry = (kind: AccessEntry['kind'], fields: Partial<AccessEntry> = {}): AccessEntry => ({
    seq: kind === 'exchange' ? 2 : 1,
    kind,
    when: '2026-03-01T12:00:00.000Z',
    organisation: 'afe',
    organisationName: 'Aide financière aux études',
    product: 'revenu.avis-cotisation',
    productTitle: { fr: 'Avis de cotisation', en: 'Notice of assessment' },
    purpose: 'afe.calcul-aide',
    purposeTitle: null,
    decision: 'allow',
    basis: kind === 'exchange' ? 'consent' : null,
    legalReference: null,
    caseRef: null,
    changeId: kind === 'exchange' ? null : 'c-1',
    reason: null,
    fields: [],
    ...fields,
  });

  it('tells of a change notice in plain words, beside the exchange that followed', () => {
    const entries = [entry('exchange'), entry('change-notice')];
    const fr = historyPage(contextOf('fr'), NAMES, entries, {});
    expect(fr).toContain('Aide financière aux études a été avisé d’un changement de « Avis de cotisation »');
    expect(fr).toContain('Vous l’avez autorisé');
    const en = historyPage(contextOf('en'), NAMES, entries, {});
    expect(en).toContain('Aide financière aux études was told of a change to “Notice of assessment”');
    // Every row has as many cells as the header, each labelled for the narrow layout.
    const header = /<thead[\s\S]*?<\/thead>/.exec(en)?.[0] ?? '';
    const rows = [...en.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((m) => m[1]).slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows)
      expect(row.match(/<td[^>]*data-label="[^"]+"/g)).toHaveLength(header.match(/<th\s/g)?.length ?? 0);
  });

  it('says why a request was refused, which fields were sent, and in which time zone', () => {
    const entries = [
      entry('exchange', { decision: 'deny', reason: 'revoked' }),
      entry('exchange', { seq: 3, fields: ['annee', 'revenuTotal'] }),
    ];
    const fr = historyPage(contextOf('fr'), NAMES, entries, {});
    expect(fr).toContain('Refusé : vous aviez retiré votre autorisation.');
    expect(fr).toContain('Transmis : annee, revenuTotal');
    expect(fr).toContain('heure de l’Est');
    const en = historyPage(contextOf('en'), NAMES, [entry('exchange', { decision: 'deny', reason: 'no-such' })], {});
    expect(en).toContain('Refused: the request did not follow the rules of the agreement.');
  });
});

describe('the language of a first visit', () => {
  it.each([
    [undefined, 'fr'],
    ['en-CA,en;q=0.9', 'en'],
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr'],
    ['de-DE,en;q=0.5,fr;q=0.4', 'en'],
    ['en;q=0.2,fr;q=0.8', 'fr'],
    ['es, de', 'fr'],
    ['en;q=0', 'fr'],
  ])('Accept-Language %p reads as %p', (header, lang) => {
    expect(langFromAcceptLanguage(header)).toBe(lang);
  });
});

describe('the receipt page', () => {
  it('shows the signed receipt’s SHA-256 in groups of four', () => {
    const fingerprint = receiptFingerprint('header.payload.signature');
    expect(fingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(fingerprint).not.toBe(receiptFingerprint('header.payload.signaturf'));
  });

  const revoked = {
    id: '0d7e3d52-0000-4000-8000-000000000001',
    citizen: 'demo-citizen-1',
    requester: 'afe',
    purpose: 'afe.calcul-aide',
    products: [{ product: 'revenu.avis-cotisation', fields: ['taxYear'] }],
    validFrom: '2026-03-01T05:00:00.000Z',
    validUntil: '2027-03-01T05:00:00.000Z',
    mode: 'ongoing',
    keepUpToDate: false,
    status: 'revoked',
    createdAt: '2026-03-01T05:00:00.000Z',
    decidedAt: '2026-03-01T05:00:00.000Z',
    revokedAt: '2026-04-02T15:00:00.000Z',
    lastUsedAt: null,
  } as ConsentView;

  it('says who, what, why, until when and when it was withdrawn, in the citizen’s language', () => {
    const facts = new Map(receiptFacts(messagesFor('fr'), NAMES, revoked, 'a.b.c'));
    expect(facts.get('Organisme autorisé')).toBe('Aide financière aux études');
    expect(facts.get('Renseignements')).toBe('revenu.avis-cotisation : taxYear');
    expect(facts.get('Retirée le')).toMatch(/^2 avril 2026/);
    expect(facts.get('Empreinte du reçu signé (SHA-256)')).toBe(receiptFingerprint('a.b.c'));
    expect(new Map(receiptFacts(messagesFor('en'), NAMES, revoked, 'a.b.c')).get('Withdrawn on')).toMatch(
      /^April 2, 2026/,
    );
  });

  it('prints the same facts as a PDF', async () => {
    const pdf = await receiptPdf(messagesFor('fr'), NAMES, revoked, 'a.b.c');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
  });
});
