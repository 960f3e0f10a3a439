import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { DataSource } from 'typeorm';
import type { CertificateFacts } from '../identity/demo-seed';
import type { OrganisationRepository } from '../identity/organisation.repository';
import { CheckFailed } from './exit-codes';
import { loadCliConfig, print, write, type JsonOption } from './output';
import { UsageError } from './usage';

const SECTOR = /^[a-z][a-z0-9-]{0,39}$/;
const FINGERPRINT = /^(?:[0-9a-f]{2}:?){31}[0-9a-f]{2}$/i;

/**
 * Runs `work` on the organisations: writes migrate first, reads do not. An
 * organisation that does not exist is a usage error: the command named it.
 */
async function withOrganisations<T>(
  access: 'read' | 'write',
  work: (organisations: OrganisationRepository, dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const config = await loadCliConfig();
  const { withDatabase } = await import('./database');
  const { IDENTITY_ENTITIES, OrganisationNotFoundError, OrganisationRepository } = await import(
    '../identity/organisation.repository'
  );
  try {
    return await withDatabase(config, (dataSource) => work(new OrganisationRepository(dataSource), dataSource), {
      readOnly: access === 'read',
      entities: IDENTITY_ENTITIES,
    });
  } catch (error) {
    if (error instanceof OrganisationNotFoundError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * After a change to an organisation or a binding: every live gateway node drops the bindings it has cached,
 * and answers, before the command returns; a node that does not answer makes the command fail (exit 1).
 */
async function tellNodes(): Promise<void> {
  const config = await loadCliConfig();
  const { reloadCluster } = await import('./cluster-reload');
  const told = await reloadCluster(config, 'bindings', undefined, { noNodeIsOk: true });
  await write(`${told.text}\n`);
  if (!told.ok) {
    throw new CheckFailed(
      'the change is recorded, but not every gateway node confirmed it: a node that did not may go on answering ' +
        'with what it held; run the command again, or restart that node',
    );
  }
}

/** A certificate file's facts; a file that cannot be read or is no certificate is a usage error. */
async function certificateIn(file: string): Promise<CertificateFacts> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { certificateFacts } = await import('../identity/demo-seed');
  try {
    return certificateFacts(pem);
  } catch {
    throw new UsageError(`${file} is not a PEM certificate`);
  }
}

/** `<fingerprint|certificate.pem>`: a SHA-256 fingerprint as hex (colons allowed), or a certificate file. */
async function fingerprintOf(given: string): Promise<string> {
  if (FINGERPRINT.test(given)) return given.replaceAll(':', '').toLowerCase();
  return (await certificateIn(given)).fingerprint;
}

async function list(options: JsonOption): Promise<void> {
  const rows = await withOrganisations('read', (organisations) => organisations.list());
  const text = (): string => {
    const width = Math.max(2, ...rows.map((row) => row.id.length));
    const sectorWidth = Math.max(6, ...rows.map((row) => row.sector.length));
    return rows
      .map((row) =>
        [
          row.id.padEnd(width),
          row.status.padEnd(9),
          row.sector.padEnd(sectorWidth),
          (row.identifiers === 'pivot' ? 'pivot ids' : 'sector ids').padEnd(10),
          `${String(row.certificates).padStart(2)} cert(s)`,
          row.name,
        ].join('  '),
      )
      .join('\n');
  };
  await print(options, text, () => ({ organisations: rows }));
}

async function register(id: string, options: { name: string; sector: string; identifiers: string }): Promise<void> {
  if (!SECTOR.test(options.sector)) throw new UsageError('--sector must be lower-case letters, digits and dashes');
  const identifiers = options.identifiers === 'pivot' ? 'pivot' : 'sector';
  await withOrganisations('write', (organisations) =>
    organisations.register(id, options.name, { sector: options.sector, identifiers }),
  );
  const naming = identifiers === 'pivot' ? ', naming citizens by pivot id' : '';
  await write(`registered ${id} in sector ${options.sector}${naming}\n`);
  await tellNodes();
}

async function bind(id: string, file: string): Promise<void> {
  const facts = await certificateIn(file);
  await withOrganisations('write', (organisations) => organisations.bindCertificate(id, facts));
  await write(`bound ${facts.fingerprint} (${facts.subject}) to ${id}\n`);
  await tellNodes();
}

async function unbind(id: string, certificate: string): Promise<void> {
  const fingerprint = await fingerprintOf(certificate);
  const removed = await withOrganisations('write', (organisations) => organisations.unbindCertificate(id, fingerprint));
  if (!removed) throw new CheckFailed(`no certificate ${fingerprint} is bound to ${id}: nothing unbound`);
  await write(`unbound ${fingerprint} from ${id}: that certificate is refused from the next request on\n`);
  await tellNodes();
}

export function registerOrgCommands(program: Command): void {
  const org = program.command('org').description('organisations and their client certificates');
  org
    .command('list')
    .description('organisations: status, sector, identifiers, bound certificates')
    .option('--json', 'one JSON document: {organisations: [...]}')
    .action((options: JsonOption) => list(options));
  org
    .command('register')
    .description(
      "create (or update) an organisation; its agencies name citizens by the sector's identifiers " +
        '(pivot: the old pivot ids, while it migrates)',
    )
    .argument('<id>', 'the organisation id, e.g. cnesst')
    .requiredOption('--name <name>', 'its name')
    .requiredOption('--sector <sector>', 'its sector: lower-case letters, digits and dashes')
    .addOption(
      new Option('--identifiers <kind>', 'how its agencies name citizens')
        .choices(['sector', 'pivot'])
        .default('sector'),
    )
    .action((id: string, options: { name: string; sector: string; identifiers: string }) => register(id, options));
  org
    .command('suspend')
    .description('refuse every certificate of the organisation, from the next request on')
    .argument('<id>', 'the organisation id')
    .action(async (id: string) => {
      await withOrganisations('write', (organisations) => organisations.setStatus(id, 'suspended'));
      await write(`suspended ${id}: its certificates are refused from the next request on\n`);
      await tellNodes();
    });
  org
    .command('activate')
    .description('lift a suspension')
    .argument('<id>', 'the organisation id')
    .action(async (id: string) => {
      await withOrganisations('write', (organisations) => organisations.setStatus(id, 'active'));
      await write(`activated ${id}\n`);
      await tellNodes();
    });
  org
    .command('bind-cert')
    .description('bind a client certificate to the organisation (by its SHA-256 fingerprint)')
    .argument('<id>', 'the organisation id')
    .argument('<certificate.pem>', 'the PEM certificate, e.g. one `dev sign-csr` made')
    .action((id: string, file: string) => bind(id, file));
  org
    .command('unbind-cert')
    .description(
      'remove a certificate binding: the next request with that certificate is refused, on connections already ' +
        'open too (exit 1 when it was not bound to the organisation)',
    )
    .argument('<id>', 'the organisation id')
    .argument('<fingerprint|certificate.pem>', 'its SHA-256 fingerprint in hex (colons allowed), or the certificate')
    .action((id: string, certificate: string) => unbind(id, certificate));
}
