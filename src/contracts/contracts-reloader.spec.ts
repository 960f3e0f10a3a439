import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Catalogue, ReplacementStep } from './catalogue';
import { loadContracts } from './contract-loader';
import type { AdapterSettingsSpec } from './contract-meta-schema';
import { catalogueDigest, ContractsReloader } from './contracts-reloader';

const SCHEMAS = join(__dirname, '..', '..', 'schemas');
const SAAQ = 'products/saaq.adresse/v1/contract.json';
/** Stand-ins for the adapters' kinds (the contracts context does not know the adapters). */
const KINDS: readonly AdapterSettingsSpec[] = ['soap', 'fixed-width', 'rest', 'sql'].map((kind) => ({
  kind,
  schema: { type: 'object' },
}));

function editJson(dir: string, file: string, change: (document: Record<string, unknown>) => void): void {
  const path = join(dir, file);
  const document = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(document);
  writeFileSync(path, JSON.stringify(document, null, 2));
}

const saaqTitle = (catalogue: Catalogue): string | undefined => catalogue.latest('saaq.adresse')?.title.fr;

describe('Catalogue.replaceWith', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'passerelle-reload-'));
    cpSync(SCHEMAS, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('swaps the whole content and counts the revision', () => {
    const catalogue = loadContracts(dir, KINDS);
    editJson(dir, SAAQ, (contract) => ((contract.title as { fr: string }).fr = 'Adresse (nouveau titre)'));
    const next = loadContracts(dir, KINDS);
    expect(catalogue.revision).toBe(0);
    catalogue.replaceWith(next);
    expect(saaqTitle(catalogue)).toBe('Adresse (nouveau titre)');
    expect(catalogue.revision).toBe(1);
  });

  it('asks every participant first, commits them once the new content is in force, and aborts them on a refusal', () => {
    const catalogue = loadContracts(dir, KINDS);
    const before = saaqTitle(catalogue);
    editJson(dir, SAAQ, (contract) => ((contract.title as { fr: string }).fr = 'Autre'));
    const next = loadContracts(dir, KINDS);
    const seen: string[] = [];
    const step = (name: string): ReplacementStep => ({
      commit: () => seen.push(`${name} commit: ${saaqTitle(catalogue)}`),
      abort: () => seen.push(`${name} abort`),
    });
    catalogue.onReplace(() => step('adapters'));
    catalogue.onReplace(() => undefined);
    let refuse = true;
    catalogue.onReplace(() => {
      if (refuse) throw new Error('SOURCE_ENDPOINTS: no address for source endpoint(s) x');
      return step('cache');
    });

    expect(() => catalogue.replaceWith(next)).toThrow(/no address for source endpoint/);
    expect(saaqTitle(catalogue)).toBe(before);
    expect(catalogue.revision).toBe(0);
    expect(seen).toEqual(['adapters abort']);

    refuse = false;
    catalogue.replaceWith(next);
    expect(seen).toEqual(['adapters abort', 'adapters commit: Autre', 'cache commit: Autre']);
  });
});

describe('ContractsReloader', () => {
  let dir: string;
  let registry: Registry;
  let catalogue: Catalogue;
  let reloader: ContractsReloader;
  const logged: { level: string; details: object; message: string }[] = [];

  const count = async (outcome: string): Promise<number> => {
    const metric = await registry.getSingleMetric('passerelle_contracts_reloads_total')?.get();
    return metric?.values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'passerelle-reload-'));
    cpSync(SCHEMAS, dir, { recursive: true });
    registry = new Registry();
    logged.length = 0;
    catalogue = loadContracts(dir, KINDS);
    reloader = new ContractsReloader(catalogue, () => loadContracts(dir, KINDS), registry, {
      info: (details, message) => logged.push({ level: 'info', details, message }),
      error: (details, message) => logged.push({ level: 'error', details, message }),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a reload that changes nothing apart, and does not replace the content', async () => {
    expect(reloader.reload()).toMatchObject({ outcome: 'unchanged', contracts: 4, revision: 0 });
    expect(catalogue.revision).toBe(0);
    expect(await count('unchanged')).toBe(1);
  });

  it('puts a changed set in force', async () => {
    editJson(dir, SAAQ, (contract) => ((contract.title as { fr: string }).fr = 'Adresse postale'));
    expect(reloader.reload()).toMatchObject({ outcome: 'reloaded', contracts: 4, revision: 1 });
    expect(saaqTitle(catalogue)).toBe('Adresse postale');
    expect(await count('reloaded')).toBe(1);
  });

  it('keeps the set in force when the new one is invalid, naming the file and pointer, and counts the failure', async () => {
    const before = catalogueDigest(catalogue);
    editJson(dir, SAAQ, (contract) => {
      contract.owner = 42;
      (contract.title as { fr: string }).fr = 'Jamais vu';
    });
    const result = reloader.reload();
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: 'invalid contracts',
      problems: [{ file: 'products/saaq.adresse/v1/contract.json', pointer: '/owner', message: 'must be string' }],
    });
    expect(catalogueDigest(catalogue)).toBe(before);
    expect(saaqTitle(catalogue)).not.toBe('Jamais vu');
    expect(await count('failed')).toBe(1);
    expect(logged.at(-1)).toMatchObject({
      level: 'error',
      message: 'contracts reload failed: the contracts in force stay',
    });
  });

  it('keeps the set in force when a participant refuses it', async () => {
    catalogue.onReplace(() => {
      throw new Error('SOURCE_ENDPOINTS: no address for source endpoint(s) nowhere named by the contracts');
    });
    editJson(dir, SAAQ, (contract) => ((contract.title as { fr: string }).fr = 'Jamais vu'));
    expect(reloader.reload()).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/nowhere/) });
    expect(saaqTitle(catalogue)).not.toBe('Jamais vu');
    expect(await count('failed')).toBe(1);
  });
});
