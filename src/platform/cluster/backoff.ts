/** The first retry comes quickly: most losses of the listening connection are a restart or a network blip. */
export const RECONNECT_BASE_MS = 100;
/**
 * Never longer than this between attempts: while the bus is down the node is
 * not ready, so a long wait after the database is back would keep it out of
 * the load balancer for nothing.
 */
export const RECONNECT_MAX_MS = 2_000;

/**
 * How long to wait before reconnection attempt `attempt` (0 for the first):
 * doubling from the base up to the cap, with half of it jittered so that the
 * nodes of a cluster that lost the database together do not come back in step.
 */
export function reconnectDelay(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
}
