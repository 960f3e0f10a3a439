import type { Command } from 'commander';
import type { ReloadTarget } from '../platform/cluster/reload-protocol';
import { EXIT } from './exit-codes';
import { loadCliConfig, print, write, type JsonOption } from './output';

/**
 * `contracts reload`, `crl reload`: asks every live node over the cluster bus
 * and waits for each answer; exit 1 unless every node reloaded (or had it).
 */
export async function reloadEveryNode(target: ReloadTarget): Promise<void> {
  const config = await loadCliConfig();
  const { reloadCluster } = await import('./cluster-reload');
  const { text, ok } = await reloadCluster(config, target);
  // Every node's line on standard output either way: which node kept what, and why.
  await write(`${text}\n`);
  if (!ok) process.exitCode = EXIT.failed;
}

async function nodes(options: JsonOption): Promise<void> {
  const config = await loadCliConfig();
  const { clusterNodes } = await import('./cluster-reload');
  const live = await clusterNodes(config);
  const text = (): string =>
    live.length === 0
      ? 'no gateway node is running'
      : live
          .map(
            (node) => `${node.id}  ${node.host}  since ${node.startedAt}  seen ${node.seenSecondsAgo.toFixed(1)} s ago`,
          )
          .join('\n');
  await print(options, text, () => ({ nodes: live }));
}

export function registerClusterCommands(program: Command): void {
  const crl = program.command('crl').description("the agency CA's certificate revocation list");
  crl
    .command('reload')
    .description('every live gateway node re-reads its CRL (CRL_URL or TLS_CRL) at once')
    .action(() => reloadEveryNode('crl'));
  const cluster = program.command('cluster').description('the gateway nodes sharing this database');
  cluster
    .command('nodes')
    .description('the live gateway nodes: id, host, since when, last heartbeat')
    .option('--json', 'one JSON document: {nodes: [...]}')
    .action((options: JsonOption) => nodes(options));
}
