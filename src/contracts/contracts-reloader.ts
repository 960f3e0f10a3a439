import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Counter, type Registry } from 'prom-client';
import type { Catalogue } from './catalogue';
import { type ContractProblem, ContractsError } from './contract-loader';

export type ContractsReload =
  | { outcome: 'reloaded' | 'unchanged'; contracts: number; purposes: number; revision: number; ms: number }
  | { outcome: 'failed'; reason: string; problems: ContractProblem[]; ms: number };

/** Where a reload's result is told: pino's logger and Nest's PinoLogger both fit. */
export interface ReloadLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * What the catalogue holds, as one digest: the purposes and, for each
 * contract, its manifest, its data schema and its file. Two loads of the
 * same files have the same digest, so a reload that changes nothing is told
 * apart (and costs the adapters nothing).
 */
export function catalogueDigest(catalogue: Catalogue): string {
  const contracts = catalogue.contracts
    .map(({ validate: _validate, ...rest }) => rest)
    .sort((a, b) => a.file.localeCompare(b.file));
  const text = canonicalize({ purposes: [...catalogue.purposes.values()], contracts }) ?? '';
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Reloads the contracts and purposes into the catalogue in force, without a
 * restart: on SIGHUP, and on every node when the `contracts.reload` notice
 * comes over the cluster bus. The new set is loaded and checked exactly as at
 * boot; if anything is wrong with it (a bad contract, named by file and JSON
 * pointer, or a source endpoint without an address), the set in force stays,
 * the reason is logged and the failure counted.
 */
export class ContractsReloader {
  private digest: string;
  private readonly reloads: Counter<'outcome'>;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly load: () => Catalogue,
    registry: Registry,
    private readonly log: ReloadLog,
  ) {
    this.digest = catalogueDigest(catalogue);
    this.reloads = new Counter({
      name: 'passerelle_contracts_reloads_total',
      help: 'Contract reloads by outcome: reloaded, unchanged, or failed (the contracts in force stay)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
  }

  reload(): ContractsReload {
    const started = process.hrtime.bigint();
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
    let next: Catalogue;
    let digest: string;
    try {
      next = this.load();
      digest = catalogueDigest(next);
      if (digest !== this.digest) this.catalogue.replaceWith(next);
    } catch (error) {
      const problems = error instanceof ContractsError ? error.problems : [];
      const reason = error instanceof ContractsError ? 'invalid contracts' : (error as Error).message;
      this.reloads.inc({ outcome: 'failed' });
      this.log.error({ reason, problems }, 'contracts reload failed: the contracts in force stay');
      return { outcome: 'failed', reason, problems, ms: elapsed() };
    }
    const outcome = digest === this.digest ? 'unchanged' : 'reloaded';
    this.digest = digest;
    this.reloads.inc({ outcome });
    const result = {
      outcome,
      contracts: this.catalogue.contracts.length,
      purposes: this.catalogue.purposes.size,
      revision: this.catalogue.revision,
      ms: elapsed(),
    } as const;
    this.log.info(result, outcome === 'reloaded' ? 'contracts reloaded' : 'contracts reloaded: nothing changed');
    return result;
  }
}
