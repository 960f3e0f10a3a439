import { jsonDepthExceeds } from '../../platform/http/json-depth';
import { HttpSource } from '../http-source';
import type { LegacyRecord } from '../../contracts/mapping';
import { SourceError, type FetchContext, type SourceAdapter, type SourceLimits } from '../source-adapter';
import type { RestSettings } from './rest-settings';

/**
 * GETs a JSON resource whose path carries the citizen's local id, through a
 * keep-alive undici pool.
 *
 * - 200 with a JSON object: the record. The body's size and nesting are
 *   capped before it is parsed.
 * - 404: no record (null).
 * - 502, 503, 504: `unavailable`. Any other status: `bad-response`.
 */
export class RestAdapter implements SourceAdapter {
  readonly kind = 'rest' as const;
  private readonly http: HttpSource;

  constructor(
    private readonly settings: RestSettings,
    endpoint: string,
    private readonly limits: SourceLimits,
  ) {
    this.http = new HttpSource(endpoint, limits);
  }

  async fetch(localId: string, { signal, correlationId, traced }: FetchContext): Promise<LegacyRecord | null> {
    // encodeURIComponent keeps `/`, `..` and `?` inside one path segment; a lone surrogate cannot be sent.
    // An id that is a whole dot segment would still climb out of it: servers resolve `%2E%2E` as `..`.
    if (localId.length === 0 || localId === '.' || localId === '..' || /\p{Cs}/u.test(localId)) {
      throw new SourceError('bad-response', 'local id cannot be sent');
    }
    const path = this.settings.path.replace('{localId}', encodeURIComponent(localId).replace(/\./g, '%2E'));
    const answer = await this.http.call({
      method: 'GET',
      path,
      headers: { accept: 'application/json', 'x-correlation-id': correlationId },
      signal,
      traced,
    });
    switch (answer.status) {
      case 200:
        return this.parse(answer.body, answer.contentType);
      case 404:
        return null;
      case 502:
      case 503:
      case 504:
        throw new SourceError('unavailable', `HTTP ${answer.status}`);
      default:
        throw new SourceError('bad-response', `HTTP ${answer.status}`);
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private parse(body: Buffer, contentType: string): LegacyRecord {
    if (!/^application\/([a-z0-9.+-]+\+)?json\b/.test(contentType)) {
      throw new SourceError('bad-response', 'answer is not JSON');
    }
    const text = body.toString('utf8');
    if (jsonDepthExceeds(text, this.limits.maxJsonDepth)) {
      throw new SourceError('bad-response', `answer nests deeper than ${this.limits.maxJsonDepth}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new SourceError('bad-response', 'answer is not valid JSON', { cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SourceError('bad-response', 'answer is not a JSON object');
    }
    return value as LegacyRecord;
  }
}
