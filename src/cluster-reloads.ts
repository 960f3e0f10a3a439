import type { ContractsReload, ContractsReloader } from './contracts/contracts-reloader';
import type { BindingCache } from './identity/binding-cache';
import type { CrlReload, CrlStore } from './identity/crl/crl-store';
import type { ClusterBus } from './platform/cluster/cluster-bus';
import {
  parseReloadRequest,
  RELOAD_RESULT_TOPIC,
  RELOAD_TARGETS,
  type ReloadResult,
  type ReloadTarget,
  reloadTopic,
  shortDetail,
} from './platform/cluster/reload-protocol';

/** What SIGHUP reloaded on this node. */
export interface LocalReloads {
  contracts: ContractsReload;
  crl: CrlReload;
  /** How many cached certificate bindings were dropped, to be read again from the database. */
  bindingsDropped: number;
}

export interface ReloadLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

interface Done {
  outcome: string;
  detail: string;
}

function contractsDone(result: ContractsReload): Done {
  if (result.outcome === 'failed') {
    const problems = result.problems.map(({ file, pointer, message }) => `${file}#${pointer}: ${message}`);
    return { outcome: 'failed', detail: [result.reason, ...problems].join('; ') };
  }
  return {
    outcome: result.outcome,
    detail: `${result.contracts} contracts and ${result.purposes} purposes in force (revision ${result.revision})`,
  };
}

function crlDone(result: CrlReload, crl: CrlStore): Done {
  const inForce = `CRL ${crl.number?.toString() ?? '(no number)'} in force, ${crl.revokedSerials.size} revoked`;
  switch (result.outcome) {
    case 'reloaded':
    case 'unchanged':
      return { outcome: result.outcome, detail: inForce };
    case 'rejected':
      return { outcome: 'rejected', detail: `not newer than the CRL in force (${result.reason}); ${inForce}` };
    case 'failed':
      return { outcome: 'failed', detail: `${result.reason}; ${inForce}` };
  }
}

/**
 * The reloads of contracts and CRL on this node, and how they are asked for:
 * SIGHUP (this node only), a `<target>.reload` notice on the cluster bus
 * (every node; each answers on `reload.result`), and the bus coming back
 * after a loss (a notice may have been missed while it was down).
 */
export function wireReloads(deps: {
  bus: ClusterBus;
  host: string;
  contracts: ContractsReloader;
  crl: CrlStore;
  bindings: BindingCache;
  log: ReloadLog;
}): { reloadHere(): Promise<LocalReloads> } {
  const { bus, host, contracts, crl, bindings, log } = deps;
  // Notices that arrive together (an operator's command repeated, say) make one contracts reload.
  let queued: Promise<ContractsReload> | undefined;
  const reloadContracts = (): Promise<ContractsReload> => {
    queued ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => contracts.reload())
      .finally(() => {
        queued = undefined;
      });
    return queued;
  };
  const run: Record<ReloadTarget, () => Promise<Done>> = {
    contracts: async () => contractsDone(await reloadContracts()),
    // The store runs reloads one after the other, so this one reads the source after the notice came.
    crl: async () => crlDone(await crl.reload(), crl),
    // An organisation or a binding changed: what this node holds is read again on each certificate's next request.
    bindings: () => {
      const dropped = bindings.forget();
      return Promise.resolve({ outcome: 'reloaded', detail: `${dropped} cached certificate binding(s) dropped` });
    },
  };

  for (const target of RELOAD_TARGETS) {
    bus.subscribe(reloadTopic(target), async (payload, notice) => {
      const asked = parseReloadRequest(payload);
      const started = process.hrtime.bigint();
      const done = await run[target]();
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      log.info(
        { target, from: notice.from, request: asked?.request, ...done, ms },
        'reload asked over the cluster bus',
      );
      if (asked === undefined) return;
      const result: ReloadResult = {
        request: asked.request,
        target,
        node: bus.nodeId,
        host,
        outcome: done.outcome,
        detail: shortDetail(done.detail),
        ms,
      };
      await bus.publish(RELOAD_RESULT_TOPIC, result);
    });
  }

  bus.onResync(async () => {
    // A notice missed while the bus was down may have changed a binding (the cache was not trusted meanwhile).
    bindings.forget();
    const [contractsResult, crlResult] = await Promise.all([reloadContracts(), crl.reload()]);
    log.warn(
      { contracts: contractsResult.outcome, crl: crlResult.outcome },
      'reloaded contracts and CRL after the cluster bus came back',
    );
  });

  return {
    async reloadHere() {
      const [contractsResult, crlResult] = await Promise.all([reloadContracts(), crl.reload()]);
      return { contracts: contractsResult, crl: crlResult, bindingsDropped: bindings.forget() };
    },
  };
}
