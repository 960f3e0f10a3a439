import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import type { OutboxQuery, OwedDelivery } from '../notifications/dead-letters';
import { loadCliConfig, print, type JsonOption } from './output';
import { UsageError } from './usage';

const ID = /^[1-9]\d{0,17}$/;

async function withOutbox<T>(access: 'read' | 'write', work: (query: OutboxQuery) => Promise<T>): Promise<T> {
  const config = await loadCliConfig();
  const { withDatabase } = await import('./database');
  return withDatabase(config, (dataSource: DataSource) => work((text, values) => dataSource.query(text, values)), {
    readOnly: access === 'read',
  });
}

function line(delivery: OwedDelivery): string {
  const to = delivery.recipient === null ? `${delivery.channel} to the citizen` : `webhook to ${delivery.recipient}`;
  const error = delivery.lastError === null ? '' : `: ${delivery.lastError}`;
  return (
    `${delivery.id.padStart(6)}  ${delivery.status.padEnd(7)}  ${delivery.type} (${delivery.organisation}), ${to}, ` +
    `${delivery.attempts} attempt(s), since ${delivery.occurredAt}${error}`
  );
}

async function list(options: JsonOption & { dead?: boolean; limit: string }): Promise<void> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be 1 to 10000');
  const { owedDeliveries } = await import('../notifications/dead-letters');
  const rows = await withOutbox('read', (query) => owedDeliveries(query, options.dead === true, limit));
  const what = options.dead === true ? 'dead-lettered' : 'owed';
  const text = (): string => (rows.length === 0 ? `no ${what} delivery` : rows.map(line).join('\n'));
  await print(options, text, () => ({ deliveries: rows }));
}

async function requeue(options: JsonOption & { id?: string; allDead?: boolean; dryRun?: boolean }): Promise<void> {
  if ((options.id === undefined) === (options.allDead !== true)) {
    throw new UsageError('give either --id ID or --all-dead');
  }
  if (options.id !== undefined && !ID.test(options.id)) throw new UsageError('--id must be a delivery id');
  const { deadToRequeue, deliveryStatus, requeueDead } = await import('../notifications/dead-letters');
  const outcome = await withOutbox(options.dryRun === true ? 'read' : 'write', async (query) => {
    if (options.id !== undefined) {
      const status = await deliveryStatus(query, options.id);
      if (status === undefined) throw new UsageError(`no delivery ${options.id}`);
      if (status !== 'dead') throw new UsageError(`delivery ${options.id} is ${status}, not dead-lettered`);
    }
    if (options.dryRun === true) return { dryRun: true, deliveries: await deadToRequeue(query, options.id) };
    return { dryRun: false, requeued: await requeueDead(query, options.id) };
  });
  const text = (): string => {
    if (outcome.dryRun) {
      const rows = outcome.deliveries ?? [];
      return rows.length === 0
        ? 'no dead-lettered delivery: nothing would be requeued'
        : [`would requeue ${rows.length} delivery(ies):`, ...rows.map(line), 'dry run: nothing changed'].join('\n');
    }
    const ids = outcome.requeued ?? [];
    return ids.length === 0
      ? 'no dead-lettered delivery: nothing requeued'
      : `requeued ${ids.length} delivery(ies): ${ids.join(', ')}; the dispatcher sends them on its next round`;
  };
  await print(options, text, () => outcome);
}

export function registerOutboxCommands(program: Command): void {
  const outbox = program
    .command('outbox')
    .description('the notifications outbox: webhooks to agencies, messages to citizens');
  outbox
    .command('list')
    .description('deliveries not made yet: pending and dead-lettered (no citizen id is shown)')
    .option('--dead', 'dead-lettered ones only: those that ran out of attempts')
    .option('--limit <n>', 'at most this many, oldest first', '100')
    .option('--json', 'one JSON document: {deliveries: [...]}')
    .action((options: JsonOption & { dead?: boolean; limit: string }) => list(options));
  outbox
    .command('requeue')
    .description(
      'put dead-lettered deliveries back in the queue, due now with a full set of attempts; pending and ' +
        'delivered ones are never touched',
    )
    .option('--id <id>', 'the one delivery (see outbox list --dead)')
    .option('--all-dead', 'every dead-lettered delivery')
    .option('--dry-run', 'show what would be requeued, change nothing')
    .option('--json', 'one JSON document: {dryRun, requeued} or {dryRun, deliveries}')
    .action((options: JsonOption & { id?: string; allDead?: boolean; dryRun?: boolean }) => requeue(options));
}
