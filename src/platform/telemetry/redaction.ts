/**
 * What a trace may say about a URL. Paths of outgoing calls name records at
 * the legacy systems (a licence number, a file number) and query strings may
 * carry a citizen's id, so neither leaves the process in a span. Pure.
 */
export const REDACTED = 'REDACTED';

/** A query string with its names kept and every value replaced: `citizen=REDACTED&limit=REDACTED`. */
export function redactQuery(query: string): string {
  const names = [...new URLSearchParams(query.startsWith('?') ? query.slice(1) : query).keys()];
  return names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&');
}

/** The attributes of an outgoing call's span: which system was called, not which record was asked for. */
export function outgoingUrlAttributes(origin: string): Record<string, string> {
  return { 'url.full': `${origin.replace(/\/$/, '')}/${REDACTED}`, 'url.path': `/${REDACTED}`, 'url.query': '' };
}
