/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   these tests break arbitrary spots of untyped JSON documents on purpose. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractsError, loadContracts } from './contract-loader';
import type { AdapterSettingsSpec } from './contract-meta-schema';

const SCHEMAS = join(__dirname, '..', '..', 'schemas');
const SAAQ = 'products/saaq.adresse/v1';

/**
 * Stand-ins for the adapters' kinds, under the names the published contracts
 * use: the loader applies whatever settings schema and check a kind hands it.
 * The adapters' own kinds are tested against the published contracts beside them.
 */
const KINDS: readonly AdapterSettingsSpec[] = [
  { kind: 'soap', schema: { type: 'object' } },
  { kind: 'fixed-width', schema: { type: 'object' } },
  { kind: 'rest', schema: { type: 'object', required: ['path'], properties: { path: { type: 'string' } } } },
  {
    kind: 'sql',
    schema: { type: 'object', required: ['query'], properties: { query: { type: 'string' } } },
    check: (settings) =>
      /^select\s/i.test((settings as { query: string }).query)
        ? []
        : [{ pointer: '/query', message: 'must be a SELECT' }],
  },
];

/** A private copy of schemas/ that a test may break. */
function copyOfSchemas(): string {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-schemas-'));
  cpSync(SCHEMAS, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (document: Record<string, any>) => void): void {
  const path = join(dir, file);
  const document = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  change(document);
  writeFileSync(path, JSON.stringify(document, null, 2));
}

function problemsOf(
  dir: string,
  kinds: readonly AdapterSettingsSpec[] = KINDS,
): { file: string; pointer: string; message: string }[] {
  try {
    loadContracts(dir, kinds);
  } catch (error) {
    if (error instanceof ContractsError) return error.problems;
    throw error;
  }
  throw new Error('the contracts loaded without a problem');
}

describe('loadContracts', () => {
  let dir: string;
  beforeEach(() => {
    dir = copyOfSchemas();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the published contracts and compiles each schema once', () => {
    const catalogue = loadContracts(SCHEMAS, KINDS);
    expect(catalogue.contracts.map((c) => `${c.product}@${c.version}`).sort()).toEqual([
      'etat-civil.naissance@1',
      'ramq.admissibilite@1',
      'revenu.avis-cotisation@1',
      'saaq.adresse@1',
    ]);
    expect([...catalogue.purposes.keys()].sort()).toEqual([
      'afe.calcul-aide',
      'mess.aide-sociale',
      'mess.controle-admissibilite',
      'retraite-qc.enquete',
      'retraite-qc.rente',
    ]);
    const saaq = catalogue.find('saaq.adresse', 1);
    expect(saaq?.validate({ street: 'x' })).toBe(false);
  });

  it('follows the demo access rules of the design', () => {
    const catalogue = loadContracts(SCHEMAS, KINDS);
    const visible = (org: string): string[] => catalogue.visibleTo(org).map((entry) => entry.product);
    expect(visible('afe')).toEqual(['etat-civil.naissance', 'revenu.avis-cotisation']);
    expect(visible('mess')).toEqual(['revenu.avis-cotisation', 'saaq.adresse']);
    expect(visible('retraite-qc')).toEqual(['etat-civil.naissance', 'ramq.admissibilite', 'saaq.adresse']);
    expect(visible('rq')).toEqual([]);
  });

  it('names the file and pointer of an invalid data schema', () => {
    edit(dir, `${SAAQ}/data.schema.json`, (schema) => {
      schema.properties.since.type = 'calendar-date';
    });
    expect(problemsOf(dir)).toContainEqual(
      expect.objectContaining({ file: `${SAAQ}/data.schema.json`, pointer: '/properties/since/type' }),
    );
  });

  it('refuses an unknown adapter', () => {
    edit(dir, `${SAAQ}/contract.json`, (contract) => {
      contract.source.adapter = 'carrier-pigeon';
    });
    expect(problemsOf(dir)).toContainEqual({
      file: `${SAAQ}/contract.json`,
      pointer: '/source/adapter',
      message: expect.stringContaining('must be equal to one of the allowed values') as string,
    });
  });

  it("refuses an adapter's settings that do not fit its kind", () => {
    edit(dir, `${SAAQ}/contract.json`, (contract) => {
      contract.source.settings = { query: 'SELECT 1' };
    });
    expect(problemsOf(dir)).toContainEqual(
      expect.objectContaining({ file: `${SAAQ}/contract.json`, pointer: '/source/settings' }),
    );
  });

  it('refuses an access rule naming a field that is not in the schema', () => {
    edit(dir, `${SAAQ}/contract.json`, (contract) => {
      contract.access.mess['mess.aide-sociale'].push('socialInsuranceNumber');
    });
    expect(problemsOf(dir)).toEqual([
      {
        file: `${SAAQ}/contract.json`,
        pointer: '/access/mess/mess.aide-sociale/7',
        message: 'field "socialInsuranceNumber" is not in the product schema',
      },
    ]);
  });

  it('wants every field of the schema in plain words, and no other', () => {
    edit(dir, `${SAAQ}/contract.json`, (contract) => {
      delete contract.fields.postalCode;
      contract.fields.socialInsuranceNumber = { fr: 'NAS', en: 'SIN' };
    });
    expect(problemsOf(dir)).toEqual([
      { file: `${SAAQ}/contract.json`, pointer: '/fields', message: 'field "postalCode" has no title' },
      {
        file: `${SAAQ}/contract.json`,
        pointer: '/fields/socialInsuranceNumber',
        message: 'field "socialInsuranceNumber" is not in the product schema',
      },
    ]);
  });

  it('refuses an unknown purpose', () => {
    edit(dir, `${SAAQ}/contract.json`, (contract) => {
      contract.access.mess['mess.curiosite'] = ['street'];
    });
    expect(problemsOf(dir)).toEqual([
      {
        file: `${SAAQ}/contract.json`,
        pointer: '/access/mess/mess.curiosite',
        message: 'unknown purpose "mess.curiosite"',
      },
    ]);
  });

  it('refuses a duplicate product version and names both files', () => {
    cpSync(join(dir, SAAQ), join(dir, 'products/saaq.adresse/copy'), { recursive: true });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ pointer: '/version' });
    expect(problems[0]?.message).toMatch(/duplicate product version saaq\.adresse@1, already in products/);
  });

  it('refuses a mapping to a field the schema does not have', () => {
    edit(dir, `${SAAQ}/contract.json`, (contract) => {
      contract.source.mapping.country = 'pays';
    });
    expect(problemsOf(dir)).toEqual([
      expect.objectContaining({ file: `${SAAQ}/contract.json`, pointer: '/source/mapping/country' }),
    ]);
  });

  it("runs the kind's own check on settings that pass its schema, at their pointer", () => {
    edit(dir, 'products/ramq.admissibilite/v1/contract.json', (contract) => {
      contract.source.settings.query = "DELETE FROM ramq_admissibilite.admissibilite WHERE no_assurance_maladie = '1'";
    });
    expect(problemsOf(dir)).toEqual([
      {
        file: 'products/ramq.admissibilite/v1/contract.json',
        pointer: '/source/settings/query',
        message: 'must be a SELECT',
      },
    ]);
  });

  it('admits only the adapter kinds it is given', () => {
    expect(
      problemsOf(
        SCHEMAS,
        KINDS.filter(({ kind }) => kind !== 'soap'),
      ),
    ).toEqual([
      {
        file: 'products/etat-civil.naissance/v1/contract.json',
        pointer: '/source/adapter',
        message: 'must be equal to one of the allowed values ("fixed-width", "rest", "sql")',
      },
    ]);
  });

  it('reports every problem at once, in a message that names file and pointer', () => {
    edit(dir, `${SAAQ}/contract.json`, (contract) => {
      contract.source.adapter = 'fax';
    });
    edit(dir, 'purposes.json', (purposes) => {
      purposes.purposes[0].maxConsentDays = 0;
    });
    expect(() => loadContracts(dir, KINDS)).toThrow(
      /purposes\.json#\/purposes\/0\/maxConsentDays: .*\n.*saaq\.adresse\/v1\/contract\.json#\/source\/adapter/s,
    );
  });

  it('refuses a manifest whose schema file is missing', () => {
    rmSync(join(dir, SAAQ, 'data.schema.json'));
    expect(problemsOf(dir)).toEqual([{ file: `${SAAQ}/data.schema.json`, pointer: '', message: 'file not found' }]);
  });
});
