import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_MAIN } from './support/cli';

/** `contracts check` as an operator runs it, on a copy of schemas/ that a test may break. */
describe('cli contracts check: purposes and their basis', () => {
  let schemas: string;

  const check = (): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CLI_MAIN, 'contracts', 'check'], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_ENV: 'development', SCHEMAS_DIR: schemas },
    });
  const editPurpose = (code: string, change: (purpose: Record<string, unknown>) => void): number => {
    const path = join(schemas, 'purposes.json');
    const document = JSON.parse(readFileSync(path, 'utf8')) as { purposes: Record<string, unknown>[] };
    const index = document.purposes.findIndex((p) => p.code === code);
    change(document.purposes[index]);
    writeFileSync(path, JSON.stringify(document, null, 2));
    return index;
  };

  beforeEach(() => {
    schemas = mkdtempSync(join(tmpdir(), 'passerelle-check-'));
    cpSync(join(__dirname, '..', 'schemas'), schemas, { recursive: true });
  });
  afterEach(() => rmSync(schemas, { recursive: true, force: true }));

  it('passes the published purposes and says what each needs', () => {
    const run = check();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/afe\.calcul-aide +consent \(at most 365 days\)/);
    expect(run.stdout).toMatch(/mess\.controle-admissibilite +statute: .*A-13\.1\.1.*case reference required/);
    expect(run.stdout).toMatch(/retraite-qc\.enquete +statute: .*shown to the citizen after 90 days/);
  });

  it('refuses a statute purpose given a consent duration, naming the file and the field', () => {
    const index = editPurpose('retraite-qc.enquete', (purpose) => {
      purpose.maxConsentDays = 30;
    });
    const run = check();
    // Invalid contracts are a failure of the thing checked: 1, not a usage error.
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`purposes.json#/purposes/${index}/maxConsentDays`);
    expect(run.stdout).not.toContain('are valid');
  });

  it('refuses a statute window that ends before it starts, and an unknown basis', () => {
    const statute = editPurpose('mess.controle-admissibilite', (purpose) => {
      purpose.effectiveFrom = '2027-01-01T00:00:00Z';
      purpose.effectiveUntil = '2026-01-01T00:00:00Z';
    });
    const run = check();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`purposes.json#/purposes/${statute}/effectiveUntil: must be after effectiveFrom`);

    const unknown = editPurpose('afe.calcul-aide', (purpose) => {
      purpose.basis = 'contract';
    });
    expect(check().stderr).toContain(`purposes.json#/purposes/${unknown}/basis`);
  });
});
