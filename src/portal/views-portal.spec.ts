import type { AccessEntry } from '../audit/audit-office.service';
import type { ConsentView } from '../consent/consent';
import type { ConsentRequestView } from '../consent/consent-request.service';
import { Catalogue } from '../contracts/catalogue';
import { messagesFor, type Lang } from './messages';
import { consentsPage, requestsPage, type Names } from './views-citizen';
import { historyPage } from './views-history';

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
const BOX = /<input\s+type="checkbox"[^>]*>/;

describe('the approve form', () => {
  it('asks whether to keep the organisation up to date, ticked when it asked, in both languages', () => {
    const fr = requestsPage(contextOf('fr'), NAMES, [REQUEST]);
    expect(fr).toContain('Tenir cet organisme au courant de mes changements');
    expect(BOX.exec(fr)?.[0]).toMatch(/name="keepUpToDate"[^>]*value="yes"[^>]*checked/);
    expect(fr).toContain('name="keepUpToDateAsked" value="yes"');
    expect(fr).toContain(`<label for="keep-${REQUEST.id}">`);
    // The approve button submits the form that holds the checkbox.
    expect(fr).toContain(`<form id="approve-${REQUEST.id}" method="post" action="/requests/${REQUEST.id}/approve">`);
    expect(fr).toMatch(new RegExp(`<button type="submit" form="approve-${REQUEST.id}"`));
    const en = requestsPage(contextOf('en'), NAMES, [REQUEST]);
    expect(en).toContain('Keep this organisation up to date with my changes');
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
});

describe('the consents page', () => {
  const consent = (id: string, keepUpToDate: boolean): ConsentView =>
    ({
      id,
      citizen: 'demo-citizen-1',
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: [{ product: 'revenu.avis-cotisation' }],
      validFrom: '2026-03-01T00:00:00.000Z',
      validUntil: '2026-09-01T00:00:00.000Z',
      mode: 'ongoing',
      keepUpToDate,
      status: 'active',
    }) as ConsentView;

  it('says of each consent whether it keeps the organisation up to date', () => {
    const page = consentsPage(contextOf('fr'), NAMES, [consent('a', true), consent('b', false)]);
    expect(page).toContain('<th scope="col">Tenu au courant de mes changements</th>');
    const cells = [...page.matchAll(/<td>(Oui|Non)<\/td>/g)].map((match) => match[1]);
    expect(cells).toEqual(['Oui', 'Non']);
    const en = consentsPage(contextOf('en'), NAMES, [consent('a', true)]);
    expect(en).toContain('<th scope="col">Kept up to date with my changes</th>');
    expect(en).toContain('<td>Yes</td>');
  });
});

describe('the history page', () => {
  const entry = (kind: AccessEntry['kind']): AccessEntry => ({
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
  });

  it('tells of a change notice in plain words, beside the exchange that followed', () => {
    const entries = [entry('exchange'), entry('change-notice')];
    const fr = historyPage(contextOf('fr'), NAMES, entries, {});
    expect(fr).toContain('Aide financière aux études a été informé d’un changement de Avis de cotisation');
    expect(fr).toContain('Vous l’avez permis');
    const en = historyPage(contextOf('en'), NAMES, entries, {});
    expect(en).toContain('Aide financière aux études was told of a change to Notice of assessment');
    // The notice's row has as many cells as the header.
    const row = /<tr class="change-notice">([\s\S]*?)<\/tr>/.exec(en)?.[1] ?? '';
    expect(row).toContain('<td colspan="3">');
    expect(row.match(/<td/g)).toHaveLength(5);
  });
});
