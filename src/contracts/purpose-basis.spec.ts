import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractsError, loadContracts } from './contract-loader';
import type { AdapterSettingsSpec } from './contract-meta-schema';
import { checkPurposeBasis, withBasisDefaults, type PurposeDeclaration } from './purpose-basis';

const TITLE = { fr: 'Contrôle', en: 'Verification' };
const CONSENT: PurposeDeclaration = { code: 'a.b', title: TITLE, legalReference: 'Loi, art. 1', maxConsentDays: 90 };
const STATUTE: PurposeDeclaration = { code: 'a.c', title: TITLE, legalReference: 'Loi, art. 2', basis: 'statute' };

describe('checkPurposeBasis', () => {
  it('takes a consent purpose with its longest consent, and a statute purpose with its window and delay', () => {
    expect(checkPurposeBasis(CONSENT)).toEqual([]);
    expect(
      checkPurposeBasis({
        ...STATUTE,
        caseRefRequired: true,
        effectiveFrom: '2026-01-01T00:00:00Z',
        effectiveUntil: '2031-01-01T00:00:00Z',
        disclosure: { delayDays: 90 },
      }),
    ).toEqual([]);
  });

  it('refuses a statute purpose that has a consent duration, naming the field', () => {
    expect(checkPurposeBasis({ ...STATUTE, maxConsentDays: 30 })).toEqual([
      { pointer: '/maxConsentDays', message: expect.stringContaining('no consent') },
    ]);
  });

  it('refuses a consent purpose without a consent duration, or with a statute’s fields', () => {
    const { maxConsentDays: _omitted, ...bare } = CONSENT;
    expect(checkPurposeBasis(bare)).toEqual([{ pointer: '', message: expect.stringContaining('maxConsentDays') }]);
    expect(
      checkPurposeBasis({ ...CONSENT, effectiveUntil: '2030-01-01T00:00:00Z', disclosure: { delayDays: 5 } }).map(
        (p) => p.pointer,
      ),
    ).toEqual(['/effectiveUntil', '/disclosure']);
  });

  it('refuses a window that ends before it starts, or a time that is not RFC 3339', () => {
    expect(
      checkPurposeBasis({ ...STATUTE, effectiveFrom: '2030-01-01T00:00:00Z', effectiveUntil: '2030-01-01T00:00:00Z' }),
    ).toEqual([{ pointer: '/effectiveUntil', message: 'must be after effectiveFrom' }]);
    expect(checkPurposeBasis({ ...STATUTE, effectiveFrom: 'March 2030' })).toEqual([
      { pointer: '/effectiveFrom', message: 'is not an RFC 3339 date-time' },
    ]);
  });

  it('fills the defaults: consent, no case reference required', () => {
    expect(withBasisDefaults(CONSENT)).toMatchObject({ basis: 'consent', caseRefRequired: false });
    expect(withBasisDefaults({ ...STATUTE, caseRefRequired: true })).toMatchObject({
      basis: 'statute',
      caseRefRequired: true,
    });
  });
});

describe('loadContracts: purposes and their basis', () => {
  const KINDS: readonly AdapterSettingsSpec[] = ['soap', 'fixed-width', 'rest', 'sql'].map((kind) => ({
    kind,
    schema: { type: 'object' },
  }));
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'passerelle-purposes-'));
    cpSync(join(__dirname, '..', '..', 'schemas'), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the demo statute purposes with their basis, and the consent ones with theirs', () => {
    const { purposes } = loadContracts(dir, KINDS);
    expect(purposes.get('mess.controle-admissibilite')).toMatchObject({ basis: 'statute', caseRefRequired: true });
    expect(purposes.get('retraite-qc.enquete')).toMatchObject({ basis: 'statute', disclosure: { delayDays: 90 } });
    expect(purposes.get('afe.calcul-aide')).toMatchObject({ basis: 'consent', maxConsentDays: 365 });
  });

  it('names the file and the field of a statute purpose given a consent duration', () => {
    const path = join(dir, 'purposes.json');
    const document = JSON.parse(readFileSync(path, 'utf8')) as { purposes: PurposeDeclaration[] };
    const index = document.purposes.findIndex((p) => p.code === 'retraite-qc.enquete');
    document.purposes[index].maxConsentDays = 30;
    writeFileSync(path, JSON.stringify(document));
    try {
      loadContracts(dir, KINDS);
      throw new Error('loaded');
    } catch (error) {
      expect(error).toBeInstanceOf(ContractsError);
      expect((error as ContractsError).problems).toEqual([
        { file: 'purposes.json', pointer: `/purposes/${index}/maxConsentDays`, message: expect.any(String) },
      ]);
      expect((error as Error).message).toContain(`purposes.json#/purposes/${index}/maxConsentDays`);
    }
  });
});
