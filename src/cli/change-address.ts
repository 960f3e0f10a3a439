import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { ADAPTER_KINDS } from '../adapters/adapter-kinds';
import type { SaaqAddressChange } from '../adapters/simulators/saaq-address-change';
import type { RestSettings } from '../adapters/rest/rest-settings';
import type { SaaqAddressRecord } from '../adapters/simulators/demo-records';
import { DEMO_ENDPOINTS, simulatorPorts } from '../adapters/simulators/simulators';
import { loadContracts } from '../contracts/contract-loader';
import { devPkiPaths } from '../identity/dev-pki/dev-pki';
import { IDENTITY_ENTITIES } from '../identity/organisation.repository';
import type { AppConfig, SourcesConfig } from '../platform/config/config';
import { citizenIdentifier } from './citizen-identifier';
import { withDatabase } from './database';
import { need, pivotOf, UsageError } from './usage';

/** The options of `dev change-address`. */
export interface AddressValues {
  sub?: string;
  street?: string;
  city?: string;
  'postal-code'?: string;
  unit?: string;
  province?: string;
}

export const PRODUCT = 'saaq.adresse';
const OWNER = 'saaq';

/** `55 rue Principale` or `55, rue Principale` → civic number and street. Pure. */
export function parseStreet(street: string): { numeroCivique: string; rue: string } {
  const match = /^\s*(\d{1,6}[A-Za-z]?)(?:\s*,\s*|\s+)(\S.*?)\s*$/.exec(street);
  if (match === null || match[2].length > 120) {
    throw new UsageError('--street must be the civic number, then the street, e.g. "55 rue Principale"');
  }
  return { numeroCivique: match[1].toUpperCase(), rue: match[2] };
}

/** `h7n1a1`, `H7N 1A1` → `H7N 1A1`; undefined when it is not a Canadian postal code. Pure. */
export function normalisePostalCode(value: string): string | undefined {
  const compact = value.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z]\d[A-Z]\d[A-Z]\d$/.test(compact) ? `${compact.slice(0, 3)} ${compact.slice(3)}` : undefined;
}

/** The command's options as the change the SAAQ simulator takes. Pure. */
export function addressChangeOf(values: AddressValues): SaaqAddressChange {
  const { numeroCivique, rue } = parseStreet(need(values.street, '--street'));
  const city = need(values.city, '--city').trim();
  if (city === '' || city.length > 80) throw new UsageError('--city must be 1 to 80 characters');
  const codePostal = normalisePostalCode(need(values['postal-code'], '--postal-code'));
  if (codePostal === undefined) throw new UsageError('--postal-code must be a Canadian postal code, e.g. "H7N 1A1"');
  const unit = values.unit?.trim();
  if (unit !== undefined && (unit === '' || unit.length > 10))
    throw new UsageError('--unit must be 1 to 10 characters');
  const change: SaaqAddressChange = {
    adresse: { numeroCivique, rue, appartement: unit ?? null },
    municipalite: city,
    codePostal,
  };
  if (values.province !== undefined) change.province = values.province.trim().toUpperCase();
  return change;
}

/** Where a source endpoint is: SOURCE_ENDPOINTS, else the simulator `npm start` runs on its fixed port. Pure. */
export function endpointUrlOf(sources: SourcesConfig, endpoint: string): string | undefined {
  const configured = sources.endpoints[endpoint];
  if (configured !== undefined) return configured;
  const known = (DEMO_ENDPOINTS as readonly string[]).includes(endpoint);
  if (!sources.simulators || sources.simulatorBasePort === 0 || !known) return undefined;
  return `http://127.0.0.1:${simulatorPorts(sources.simulatorBasePort)[endpoint as (typeof DEMO_ENDPOINTS)[number]]}`;
}

/** The SAAQ's address resource for a licence, from the product's contract. */
function saaqAddressUrl(config: AppConfig, licence: string): string {
  const contract = loadContracts(config.schemasDir, ADAPTER_KINDS).latest(PRODUCT);
  if (contract === undefined || contract.source.adapter !== 'rest') {
    throw new Error(`no REST contract for ${PRODUCT} in ${config.schemasDir}`);
  }
  const base = endpointUrlOf(config.sources, contract.source.endpoint);
  if (base === undefined) {
    throw new UsageError(`no address for the source endpoint "${contract.source.endpoint}": set SOURCE_ENDPOINTS`);
  }
  const path = (contract.source.settings as RestSettings).path.replace('{localId}', encodeURIComponent(licence));
  return new URL(path, base).toString();
}

async function readAnswer(response: Awaited<ReturnType<typeof request>>): Promise<{ status: number; text: string }> {
  return { status: response.statusCode, text: await response.body.text() };
}

function describeRecord(record: SaaqAddressRecord): string {
  const { numeroCivique, rue, appartement } = record.adresse;
  const unit = appartement === null ? '' : `, app. ${appartement}`;
  return `${numeroCivique} ${rue}${unit}, ${record.municipalite} (${record.province}) ${record.codePostal}, since ${record.depuis}`;
}

/**
 * `dev change-address`: the SAAQ moves a citizen in its own system (the
 * simulator), then tells Passerelle that its `saaq.adresse` changed, as the
 * SAAQ's back end would: over mutual TLS with its own certificate, naming
 * the citizen by the SAAQ's sector identifier.
 */
export async function changeAddress(config: AppConfig, values: AddressValues): Promise<string> {
  const pivot = pivotOf(values);
  const change = addressChangeOf(values);
  const { licence, citizen } = await withDatabase(
    config,
    async (dataSource) => {
      const rows = await dataSource.query<{ local_id: string }[]>(
        'SELECT local_id FROM citizen_link WHERE pivot_id = $1 AND source = $2',
        [pivot, OWNER],
      );
      if (rows.length === 0) throw new Error(`${pivot} has no licence at the SAAQ (no citizen_link for saaq)`);
      return { licence: rows[0].local_id, citizen: await citizenIdentifier(config, dataSource, OWNER, pivot) };
      // A read: the change itself goes through the simulator and the gateway.
    },
    { readOnly: true, entities: IDENTITY_ENTITIES },
  );

  const url = saaqAddressUrl(config, licence);
  let saaq: { status: number; text: string };
  try {
    saaq = await readAnswer(
      await request(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(change),
      }),
    );
  } catch (error) {
    throw new Error(`the SAAQ simulator at ${url} did not answer (is npm start running?): ${(error as Error).message}`);
  }
  if (saaq.status !== 200) throw new Error(`the SAAQ simulator answered ${saaq.status} to PUT ${url}:\n${saaq.text}`);
  const record = JSON.parse(saaq.text) as SaaqAddressRecord;
  const moved = `SAAQ: licence ${licence} now at ${describeRecord(record)}`;

  const changes = `https://localhost:${config.agencyPort}/v1/changes`;
  const paths = devPkiPaths(config.tls.certsDir);
  const [ca, cert, key] = await Promise.all([
    readFile(paths.caCert),
    readFile(paths.agencyCert(OWNER)),
    readFile(paths.agencyKey(OWNER)),
  ]);
  const agent = new Agent({ connect: { ca, cert, key, servername: 'localhost' } });
  let report: { status: number; text: string };
  try {
    report = await readAnswer(
      await request(changes, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ product: PRODUCT, citizen, changedAt: new Date().toISOString() }),
      }),
    );
  } catch (error) {
    throw new Error(`${moved}\nbut Passerelle at ${changes} did not answer: ${(error as Error).message}`);
  } finally {
    await agent.close();
  }
  if (report.status !== 202) {
    throw new Error(`${moved}\nbut Passerelle answered ${report.status} to POST ${changes}:\n${report.text}`);
  }
  const { changeId } = JSON.parse(report.text) as { changeId?: string };
  return `${moved}\nReported to Passerelle as ${OWNER}: change ${changeId ?? '(no changeId in the answer)'}`;
}
