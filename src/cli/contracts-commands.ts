import type { Command } from 'commander';
import type { Purpose } from '../contracts/catalogue';
import { reloadEveryNode } from './cluster-commands';
import { EXIT } from './exit-codes';
import { loadCliConfig, print, write, type JsonOption } from './output';

/** A purpose's basis in one line: what an exchange for it needs. Pure. */
export function basisLine(purpose: Purpose): string {
  if (purpose.basis === 'consent') return `consent (at most ${purpose.maxConsentDays} days)`;
  const parts = [`statute: ${purpose.legalReference}`];
  if (purpose.caseRefRequired) parts.push('case reference required');
  if (purpose.effectiveFrom !== undefined) parts.push(`from ${purpose.effectiveFrom}`);
  if (purpose.effectiveUntil !== undefined) parts.push(`until ${purpose.effectiveUntil}`);
  if (purpose.disclosure !== undefined) parts.push(`shown to the citizen after ${purpose.disclosure.delayDays} days`);
  return parts.join('; ');
}

/** `contracts check`: the same loader the gateway runs at boot, so what passes here starts there. */
async function check(options: JsonOption): Promise<void> {
  const config = await loadCliConfig();
  const { ADAPTER_KINDS } = await import('../adapters/adapter-kinds');
  const { ContractsError, loadContracts } = await import('../contracts/contract-loader');
  let catalogue: ReturnType<typeof loadContracts>;
  try {
    catalogue = loadContracts(config.schemasDir, ADAPTER_KINDS);
  } catch (error) {
    if (!(error instanceof ContractsError)) throw error;
    if (options.json === true) await write(`${JSON.stringify({ valid: false, problems: error.problems }, null, 2)}\n`);
    process.stderr.write(`${error.message}\n`);
    process.exitCode = EXIT.failed;
    return;
  }
  const purposes = [...catalogue.purposes.values()];
  const text = (): string =>
    [
      `${purposes.length} purposes and ${catalogue.contracts.length} contracts are valid:`,
      ...purposes.map((p) => `  ${p.code}  ${basisLine(p)}`),
      ...catalogue.contracts.map(
        (c) => `  ${c.product} v${c.version}  owner ${c.owner}  adapter ${c.source.adapter}  (${c.file})`,
      ),
    ].join('\n');
  const json = (): unknown => ({
    valid: true,
    purposes: purposes.map((p) => ({ code: p.code, basis: p.basis, summary: basisLine(p) })),
    contracts: catalogue.contracts.map((c) => ({
      product: c.product,
      version: c.version,
      owner: c.owner,
      adapter: c.source.adapter,
      file: c.file,
    })),
  });
  await print(options, text, json);
}

export function registerContractsCommands(program: Command): void {
  const contracts = program.command('contracts').description('the data-product contracts and purposes in schemas/');
  contracts
    .command('check')
    .description('validate schemas/ (SCHEMAS_DIR): purposes, manifests, data schemas (exit 1 when invalid)')
    .option('--json', 'one JSON document: {valid, purposes, contracts} or {valid: false, problems}')
    .action((options: JsonOption) => check(options));
  contracts
    .command('reload')
    .description(
      'every live gateway node reloads schemas/ (its SCHEMAS_DIR) at once; a node that finds a bad contract ' +
        'keeps the set in force and says why (exit 1 unless every node reloaded)',
    )
    .action(() => reloadEveryNode('contracts'));
}
