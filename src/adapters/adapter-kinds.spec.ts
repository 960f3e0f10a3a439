/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access --
   these tests break spots of untyped JSON documents on purpose. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractsError, loadContracts } from '../contracts/contract-loader';
import { ADAPTER_KINDS } from './adapter-kinds';

const SCHEMAS = join(__dirname, '..', '..', 'schemas');

function problemsAfter(
  file: string,
  change: (contract: Record<string, any>) => void,
): { file: string; pointer: string; message: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-schemas-'));
  try {
    cpSync(SCHEMAS, dir, { recursive: true });
    const contract = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, any>;
    change(contract);
    writeFileSync(join(dir, file), JSON.stringify(contract, null, 2));
    loadContracts(dir, ADAPTER_KINDS);
  } catch (error) {
    if (error instanceof ContractsError) return error.problems;
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('the contracts loaded without a problem');
}

describe('ADAPTER_KINDS', () => {
  it('admits the published contracts, one source of each kind', () => {
    const catalogue = loadContracts(SCHEMAS, ADAPTER_KINDS);
    expect(catalogue.contracts.map((contract) => contract.source.adapter).sort()).toEqual(
      ADAPTER_KINDS.map(({ kind }) => kind).sort(),
    );
  });

  it("refuses an adapter's settings that do not fit its kind", () => {
    expect(
      problemsAfter('products/saaq.adresse/v1/contract.json', (contract) => {
        contract.source.settings = { query: 'SELECT 1' };
      }),
    ).toContainEqual(expect.objectContaining({ pointer: '/source/settings' }));
  });

  it('refuses a copybook whose fields overflow the record', () => {
    const problems = problemsAfter('products/revenu.avis-cotisation/v1/contract.json', (contract) => {
      contract.source.settings.recordLength = 50;
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.pointer.startsWith('/source/settings/'))).toBe(true);
  });

  it('refuses a SQL source that is not a single parameterised SELECT', () => {
    const problems = problemsAfter('products/ramq.admissibilite/v1/contract.json', (contract) => {
      contract.source.settings.query = "DELETE FROM ramq_admissibilite.admissibilite WHERE no_assurance_maladie = '1'";
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/source/settings/query', message: 'must be a SELECT' }),
      ]),
    );
  });
});
