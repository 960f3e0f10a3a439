import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Catalogue, type ContractManifest, type ProductContract, type Purpose } from './catalogue';
import { type AdapterSettingsSpec, contractMetaSchema, PURPOSES_META_SCHEMA } from './contract-meta-schema';
import type { RecordMapping } from './mapping';
import { checkPurposeBasis, withBasisDefaults, type PurposeDeclaration } from './purpose-basis';

export interface ContractProblem {
  /** Relative to the schemas directory. */
  file: string;
  /** A JSON pointer into that file ('' for the whole document). */
  pointer: string;
  message: string;
}

/** Every problem found, so one run of `contracts check` shows them all. */
export class ContractsError extends Error {
  constructor(readonly problems: ContractProblem[]) {
    super(
      `invalid data-product contracts:\n${problems
        .map(({ file, pointer, message }) => `  ${file}#${pointer}: ${message}`)
        .join('\n')}`,
    );
    this.name = 'ContractsError';
  }
}

const escapePointer = (segment: string | number): string => String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
const pointer = (...segments: (string | number)[]): string => segments.map((s) => `/${escapePointer(s)}`).join('');

/**
 * Reads `schemas/`: the purposes, then every `contract.json` below
 * `products/`. Each manifest is checked against the meta-schema and against
 * the purposes and its own data schema, which is compiled once here. The
 * adapter kinds a source may name, and what their settings must be, are
 * handed in by whoever provides the adapters. Throws a ContractsError naming
 * every bad file and JSON pointer.
 */
export function loadContracts(schemasDir: string, adapterKinds: readonly AdapterSettingsSpec[]): Catalogue {
  const problems: ContractProblem[] = [];
  const meta = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const checkManifest = meta.compile<ContractManifest>(contractMetaSchema(adapterKinds));
  const checkPurposes = meta.compile<{ purposes: PurposeDeclaration[] }>(PURPOSES_META_SCHEMA);
  // Product schemas get their own instance: strict, with formats, one compile each.
  const products = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
  addFormats(products);

  const purposesFile = 'purposes.json';
  const purposeDocument = readJson(schemasDir, purposesFile, problems);
  const purposes: Purpose[] = [];
  // Every declared code, a faulty one too: its own problem is named once, not again in each contract that uses it.
  const purposeCodes = new Set<string>();
  if (purposeDocument !== undefined) {
    if (checkPurposes(purposeDocument)) {
      const seen = purposeCodes;
      purposeDocument.purposes.forEach((purpose, index) => {
        if (seen.has(purpose.code)) {
          problems.push({ file: purposesFile, pointer: pointer('purposes', index, 'code'), message: 'duplicate code' });
        }
        seen.add(purpose.code);
        const basisProblems = checkPurposeBasis(purpose);
        for (const problem of basisProblems) {
          problems.push({
            file: purposesFile,
            pointer: `${pointer('purposes', index)}${problem.pointer}`,
            message: problem.message,
          });
        }
        if (basisProblems.length === 0) purposes.push(withBasisDefaults(purpose));
      });
    } else {
      problems.push(...ajvProblems(purposesFile, checkPurposes.errors));
    }
  }

  const contracts: ProductContract[] = [];
  const versions = new Map<string, string>();
  for (const file of findManifests(schemasDir)) {
    const document = readJson(schemasDir, file, problems);
    if (document === undefined) continue;
    if (!checkManifest(document)) {
      problems.push(...ajvProblems(file, checkManifest.errors));
      continue;
    }
    const manifest = document;
    const id = `${manifest.product}@${manifest.version}`;
    const first = versions.get(id);
    if (first !== undefined) {
      problems.push({ file, pointer: '/version', message: `duplicate product version ${id}, already in ${first}` });
      continue;
    }
    versions.set(id, file);

    const before = problems.length;
    const schemaFile = join(dirname(file), manifest.schema);
    const schemaDocument = readJson(schemasDir, schemaFile, problems);
    if (schemaDocument === undefined) continue;
    const properties = topLevelProperties(schemaDocument);
    const dataSchema = schemaDocument as Record<string, unknown>;
    if (properties === undefined) {
      problems.push({ file: schemaFile, pointer: '', message: 'must be an object schema with "properties"' });
      continue;
    }
    if (!products.validateSchema(dataSchema)) {
      problems.push(...ajvProblems(schemaFile, products.errors));
      continue;
    }
    checkAccess(file, manifest, properties, purposeCodes, problems);
    checkFieldTitles(file, manifest, properties, problems);
    checkMapping(file, manifest.source.mapping, properties, problems);
    checkSettings(file, manifest, adapterKinds, problems);
    if (problems.length > before) continue;
    try {
      const validate = products.compile(dataSchema);
      contracts.push({ ...manifest, dataSchema, validate, file });
    } catch (error) {
      problems.push({ file: schemaFile, pointer: '', message: (error as Error).message });
    }
  }

  if (problems.length > 0) throw new ContractsError(problems);
  return new Catalogue(purposes, contracts);
}

/** Exactly the schema's fields have titles: none missing, none the schema lacks. */
function checkFieldTitles(
  file: string,
  manifest: ContractManifest,
  properties: Set<string>,
  problems: ContractProblem[],
): void {
  for (const field of properties) {
    if (!(field in manifest.fields)) {
      problems.push({ file, pointer: '/fields', message: `field "${field}" has no title` });
    }
  }
  for (const field of Object.keys(manifest.fields)) {
    if (!properties.has(field)) {
      problems.push({
        file,
        pointer: pointer('fields', field),
        message: `field "${field}" is not in the product schema`,
      });
    }
  }
}

function checkAccess(
  file: string,
  manifest: ContractManifest,
  properties: Set<string>,
  purposeCodes: Set<string>,
  problems: ContractProblem[],
): void {
  for (const [requester, rules] of Object.entries(manifest.access)) {
    for (const [purpose, fields] of Object.entries(rules)) {
      if (!purposeCodes.has(purpose)) {
        problems.push({
          file,
          pointer: pointer('access', requester, purpose),
          message: `unknown purpose "${purpose}"`,
        });
      }
      fields.forEach((field, index) => {
        if (!properties.has(field)) {
          problems.push({
            file,
            pointer: pointer('access', requester, purpose, index),
            message: `field "${field}" is not in the product schema`,
          });
        }
      });
    }
  }
}

function checkMapping(
  file: string,
  mapping: RecordMapping,
  properties: Set<string>,
  problems: ContractProblem[],
): void {
  for (const field of Object.keys(mapping)) {
    if (!properties.has(field)) {
      problems.push({
        file,
        pointer: pointer('source', 'mapping', field),
        message: `maps to "${field}", which is not in the product schema`,
      });
    }
  }
}

/** The checks of the source's adapter kind that its settings schema cannot express. */
function checkSettings(
  file: string,
  manifest: ContractManifest,
  adapterKinds: readonly AdapterSettingsSpec[],
  problems: ContractProblem[],
): void {
  const base = pointer('source', 'settings');
  const spec = adapterKinds.find(({ kind }) => kind === manifest.source.adapter);
  for (const problem of spec?.check?.(manifest.source.settings) ?? []) {
    problems.push({ file, ...problem, pointer: `${base}${problem.pointer}` });
  }
}

function topLevelProperties(schema: unknown): Set<string> | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const { properties } = schema as { properties?: unknown };
  if (typeof properties !== 'object' || properties === null) return undefined;
  return new Set(Object.keys(properties));
}

function readJson(root: string, file: string, problems: ContractProblem[]): unknown {
  try {
    return JSON.parse(readFileSync(join(root, file), 'utf8')) as unknown;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    problems.push({ file, pointer: '', message: reason });
    return undefined;
  }
}

function findManifests(root: string): string[] {
  const base = join(root, 'products');
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, encoding: 'utf8' })
    .filter((path) => path === 'contract.json' || path.endsWith(`${sep}contract.json`))
    .map((path) => relative(root, join(base, path)))
    .sort();
}

function ajvProblems(file: string, errors: ErrorObject[] | null | undefined): ContractProblem[] {
  return (errors ?? []).map((error) => {
    const extra =
      error.keyword === 'additionalProperties'
        ? ` ("${String((error.params as { additionalProperty: string }).additionalProperty)}")`
        : error.keyword === 'enum'
          ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})`
          : '';
    return { file, pointer: error.instancePath, message: `${error.message ?? error.keyword}${extra}` };
  });
}
