/**
 * Health probes and metrics scrapes: answered like any request, but kept out
 * of the access log and of traces, which they would drown.
 */
export function isProbeOrScrape(url: string): boolean {
  return url.startsWith('/health') || url === '/metrics';
}
