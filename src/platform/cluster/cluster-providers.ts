import type { Provider } from '@nestjs/common';
import { CLUSTER_OPTIONS, ClusterBus, type ClusterOptions } from './cluster-bus';
import { NodeRegistry } from './node-registry';

/** The bus and the node registry, for the platform module (which exports ClusterBus and NodeRegistry). */
export function clusterProviders(options: ClusterOptions): Provider[] {
  return [{ provide: CLUSTER_OPTIONS, useValue: options }, ClusterBus, NodeRegistry];
}
