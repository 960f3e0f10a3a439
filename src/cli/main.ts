import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ADAPTER_KINDS } from '../adapters/adapter-kinds';
import type { Purpose } from '../contracts/catalogue';
import { ContractsError, loadContracts } from '../contracts/contract-loader';
import { certificateFacts } from '../identity/demo-seed';
import { OrganisationNotFoundError, OrganisationRepository } from '../identity/organisation.repository';
import { ConfigError, loadConfig, type AppConfig } from '../platform/config/config';
import { withDatabase } from './database';
import { AuditBroken, auditCommand, AuditRefused, AuditUnverifiable, AuditUsageError, EXIT } from './audit-commands';
import { db, DB_USAGE } from './db-commands';
import { CLUSTER_USAGE, clusterCommand } from './cluster-commands';
import { dev, DEV_USAGE } from './dev-commands';
import { need, UsageError } from './usage';

const USAGE = `Usage: npm run cli -- <command>

  org list                              organisations: status, sector, identifiers, bound certificates
  org register <id> --name "<name>" --sector <sector> [--identifiers sector|pivot]
                                        create (or update) an organisation; its agencies name citizens by the
                                        sector's identifiers (pivot: the old pivot ids, while it migrates)
  org suspend <id>                      refuse every certificate of the organisation
  org activate <id>                     lift a suspension
  org bind-cert <id> <certificate.pem>  bind a client certificate (by SHA-256 fingerprint)
  contracts check                       validate schemas/ (purposes, manifests, data schemas)
${CLUSTER_USAGE}  audit verify [--jwks FILE|URL] [--checkpoints DIR]
                                        recompute the audit chain and check every signature over it, with read
                                        access and public keys only (default: the running gateway's JWKS)
  audit export [--format csv|jsonl]     the whole audit log on standard output; jsonl carries each record's seq,
                                        hashes and hashed text, up to and with the signed head, for verify-export
  audit verify-export FILE --jwks FILE|URL [--checkpoints DIR]
                                        verify a jsonl export with no database
  audit checkpoints DIR                 copy the signed checkpoints and head stored with the log into DIR as
                                        files, for whoever is given an export (verify-export --checkpoints DIR)
  audit retention --before YYYY-MM --export-dir DIR [--execute [--drop]] [--jwks FILE|URL] [--checkpoints DIR]
                                        as the owner, with the signing key: export each whole month before
                                        YYYY-MM (never the current or previous one), verify the export, sign a
                                        retention statement, then detach the partition (and drop it with --drop);
                                        without --execute (or with --dry-run) it only plans and verifies
                                        (audit exits 0 intact, 1 broken, 2 usage error, 3 cannot verify)
${DB_USAGE}${DEV_USAGE}`;

const SECTOR = /^[a-z][a-z0-9-]{0,39}$/;

async function org(
  config: AppConfig,
  args: string[],
  values: { name?: string; sector?: string; identifiers?: string },
): Promise<string> {
  const [action, id, file] = args;
  return withDatabase(config, async (dataSource) => {
    const organisations = new OrganisationRepository(dataSource);
    switch (action) {
      case 'list': {
        const rows = await organisations.list();
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
      }
      case 'register': {
        const sector = need(values.sector, '--sector');
        if (!SECTOR.test(sector)) throw new UsageError('--sector must be lower-case letters, digits and dashes');
        const identifiers = values.identifiers ?? 'sector';
        if (identifiers !== 'sector' && identifiers !== 'pivot') {
          throw new UsageError('--identifiers must be sector or pivot');
        }
        await organisations.register(need(id, 'organisation id'), need(values.name, '--name'), { sector, identifiers });
        return `registered ${id} in sector ${sector}${identifiers === 'pivot' ? ', naming citizens by pivot id' : ''}`;
      }
      case 'suspend':
        await organisations.setStatus(need(id, 'organisation id'), 'suspended');
        return `suspended ${id}: its certificates are refused from the next request on`;
      case 'activate':
        await organisations.setStatus(need(id, 'organisation id'), 'active');
        return `activated ${id}`;
      case 'bind-cert': {
        const facts = certificateFacts(await readFile(need(file, 'certificate file'), 'utf8'));
        await organisations.bindCertificate(need(id, 'organisation id'), facts);
        return `bound ${facts.fingerprint} (${facts.subject}) to ${id}`;
      }
      default:
        throw new UsageError(`unknown org command "${action ?? ''}"`);
    }
  });
}

function contracts(config: AppConfig, args: string[]): string {
  if (args[0] !== 'check') throw new UsageError(`unknown contracts command "${args[0] ?? ''}"`);
  // The same loader the gateway runs at boot: what passes here starts there.
  const catalogue = loadContracts(config.schemasDir, ADAPTER_KINDS);
  const lines = catalogue.contracts.map(
    (c) => `  ${c.product} v${c.version}  owner ${c.owner}  adapter ${c.source.adapter}  (${c.file})`,
  );
  const purposes = [...catalogue.purposes.values()].map((p) => `  ${p.code}  ${basisLine(p)}`);
  return [`${catalogue.purposes.size} purposes and ${lines.length} contracts are valid:`, ...purposes, ...lines].join(
    '\n',
  );
}

/** A purpose's basis in one line: what an exchange for it needs. */
function basisLine(purpose: Purpose): string {
  if (purpose.basis === 'consent') return `consent (at most ${purpose.maxConsentDays} days)`;
  const parts = [`statute: ${purpose.legalReference}`];
  if (purpose.caseRefRequired) parts.push('case reference required');
  if (purpose.effectiveFrom !== undefined) parts.push(`from ${purpose.effectiveFrom}`);
  if (purpose.effectiveUntil !== undefined) parts.push(`until ${purpose.effectiveUntil}`);
  if (purpose.disclosure !== undefined) parts.push(`shown to the citizen after ${purpose.disclosure.delayDays} days`);
  return parts.join('; ');
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      sector: { type: 'string' },
      identifiers: { type: 'string' },
      org: { type: 'string' },
      sub: { type: 'string' },
      role: { type: 'string' },
      ttl: { type: 'string' },
      jwks: { type: 'string' },
      checkpoints: { type: 'string' },
      format: { type: 'string' },
      before: { type: 'string' },
      'export-dir': { type: 'string' },
      execute: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      drop: { type: 'boolean' },
      street: { type: 'string' },
      city: { type: 'string' },
      'postal-code': { type: 'string' },
      unit: { type: 'string' },
      province: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, ...rest] = positionals;
  if (values.help === true || group === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadConfig(process.env);
  switch (group) {
    case 'org':
      process.stdout.write(`${await org(config, rest, values)}\n`);
      return;
    case 'dev':
      process.stdout.write(`${await dev(config, rest, values)}\n`);
      return;
    case 'contracts':
    case 'crl':
    case 'cluster': {
      if (group === 'contracts' && rest[0] !== 'reload') {
        process.stdout.write(`${contracts(config, rest)}\n`);
        return;
      }
      // Reloads ask the running nodes, over the cluster bus.
      const { text, ok } = await clusterCommand(config, group, rest);
      process.stdout.write(`${text}\n`);
      if (!ok) process.exitCode = 1;
      return;
    }
    case 'db':
      process.stdout.write(`${await db(config, rest)}\n`);
      return;
    case 'audit': {
      const write = async (chunk: string): Promise<void> => {
        if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      };
      const out = await auditCommand(config, rest, values, write);
      if (out !== '') process.stdout.write(`${out}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command "${group}"`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof AuditUsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    process.exitCode = EXIT.usage;
    return;
  }
  if (
    error instanceof ConfigError ||
    error instanceof OrganisationNotFoundError ||
    error instanceof ContractsError ||
    error instanceof AuditBroken ||
    error instanceof AuditUnverifiable ||
    error instanceof AuditRefused
  ) {
    process.stderr.write(`${error.message}\n`);
  } else process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof AuditUnverifiable ? EXIT.unverifiable : 1;
});
