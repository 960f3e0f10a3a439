import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import type { NodeEnv } from './config';

/*
 * The values of single variables that are more than a type: lists, maps and
 * paths, read as loadConfig reads them.
 */

/** `dec-soap=http://host:9101, rq-records=tcp://host:9102` → a map. */
export function parseEndpoints(value: string | undefined): Record<string, string> {
  const endpoints: Record<string, string> = {};
  for (const entry of (value ?? '').split(',')) {
    const [name, ...url] = entry.trim().split('=');
    if (name !== undefined && name !== '' && url.length > 0) endpoints[name] = url.join('=');
  }
  return endpoints;
}

/**
 * `10.20.0.0/16, fd00:1::/48` → the list; `any` → any address. Unset: any
 * address outside production (local receivers), none beyond public unicast in it.
 */
export function parseNetworks(value: string | undefined, nodeEnv: NodeEnv, problems: string[]): 'any' | string[] {
  if (value === undefined) return nodeEnv === 'production' ? [] : 'any';
  if (value.trim() === 'any') return 'any';
  const networks = value
    .split(',')
    .map((cidr) => cidr.trim())
    .filter((cidr) => cidr !== '');
  const invalid = networks.filter((cidr) => !ipaddr.isValidCIDR(cidr));
  if (invalid.length > 0) problems.push(`WEBHOOK_ALLOWED_NETWORKS: not a CIDR network: ${invalid.join(', ')}`);
  return networks;
}

/**
 * Where a node keeps its copy of the audit evidence (the evidence itself is
 * stored with the log): only where configured; `off`, or unset, nowhere.
 * `npm start` in development names `.data/audit-checkpoints` (bootstrap.ts).
 */
export function checkpointDirOf(value: string | undefined, cwd: string): string | undefined {
  return value === undefined || value === 'off' ? undefined : resolve(cwd, value);
}
