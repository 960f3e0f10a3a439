import { accessEntryOf, type AccessTitles } from './audit-office.service';
import type { AccessRow } from './audit-query.repository';

/** The citizen's own looks at their data, as their access log reads them. */
describe('accessEntryOf, for a citizen’s own view and preview', () => {
  const titles: AccessTitles = {
    product: (code) => (code === 'revenu.avis-cotisation' ? { fr: 'Avis de cotisation', en: 'Notice' } : undefined),
    purpose: (code) => (code === 'afe.calcul-aide' ? { fr: 'Calcul de l’aide', en: 'Aid' } : undefined),
  };
  const view: AccessRow = {
    seq: '9',
    kind: 'citizen.view',
    recordedAt: new Date('2026-03-01T12:00:00Z'),
    organisation: 'rq',
    organisationName: 'Revenu Québec',
    product: 'revenu.avis-cotisation',
    purpose: null,
    decision: 'allow',
    basis: null,
    legalReference: null,
    caseRef: null,
    changeId: null,
    reason: null,
    fields: ['taxYear', 'netIncome'],
  };

  it('reads a view as the citizen’s own, of a product held by the organisation, with no purpose or basis', () => {
    expect(accessEntryOf(view, titles)).toMatchObject({
      seq: 9,
      kind: 'own-view',
      organisation: 'rq',
      organisationName: 'Revenu Québec',
      productTitle: { fr: 'Avis de cotisation', en: 'Notice' },
      purpose: null,
      purposeTitle: null,
      decision: 'allow',
      basis: null,
      caseRef: null,
      changeId: null,
    });
  });

  it('reads a preview as the citizen’s own, naming the organisation that asked and its purpose', () => {
    const preview = accessEntryOf(
      { ...view, kind: 'citizen.preview', organisation: 'afe', organisationName: 'AFE', purpose: 'afe.calcul-aide' },
      titles,
    );
    expect(preview).toMatchObject({
      kind: 'own-preview',
      organisation: 'afe',
      purpose: 'afe.calcul-aide',
      purposeTitle: { fr: 'Calcul de l’aide', en: 'Aid' },
      basis: null,
    });
  });

  it('gives a view that failed with no basis, case or change, whatever its record holds', () => {
    const failed = accessEntryOf(
      { ...view, decision: 'error', basis: 'consent', caseRef: 'X-1', changeId: 'c-1', reason: 'source-unavailable' },
      titles,
    );
    expect(failed).toMatchObject({ kind: 'own-view', decision: 'error', basis: null, caseRef: null, changeId: null });
  });
});
