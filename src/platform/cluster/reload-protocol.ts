/**
 * Reloads asked of every node at once: an operator's command (or any node)
 * publishes `<target>.reload` with a request id; each node reloads from its
 * own configured location and answers on `reload.result` with what it did,
 * so the command can say which nodes reloaded and which did not.
 */
export const RELOAD_TARGETS = ['contracts', 'crl', 'bindings'] as const;
export type ReloadTarget = (typeof RELOAD_TARGETS)[number];

export const RELOAD_RESULT_TOPIC = 'reload.result';

export function reloadTopic(target: ReloadTarget): string {
  return `${target}.reload`;
}

export interface ReloadRequest {
  /** Chosen by the asker, to match the answers to its question. */
  request: string;
}

export interface ReloadResult {
  request: string;
  target: ReloadTarget;
  node: string;
  host: string;
  /** `reloaded`, `unchanged`, `rejected` (a CRL not newer) or `failed`: the set in force stays for the last two. */
  outcome: string;
  /** One line for the operator: what is in force now, or why the reload failed. */
  detail: string;
  /** How long the reload took on the node. */
  ms: number;
}

const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;
const MAX_DETAIL = 1_500;

export function parseReloadRequest(payload: unknown): ReloadRequest | undefined {
  const request = (payload as { request?: unknown } | null)?.request;
  return typeof request === 'string' && REQUEST_ID.test(request) ? { request } : undefined;
}

export function parseReloadResult(payload: unknown): ReloadResult | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const strings = ['request', 'node', 'host', 'outcome', 'detail'].every((name) => typeof p[name] === 'string');
  if (!strings || typeof p.ms !== 'number' || !RELOAD_TARGETS.includes(p.target as ReloadTarget)) return undefined;
  return p as unknown as ReloadResult;
}

/** A detail short enough for a notice, whatever the reason it carries. */
export function shortDetail(detail: string): string {
  return detail.length <= MAX_DETAIL ? detail : `${detail.slice(0, MAX_DETAIL - 1)}…`;
}
