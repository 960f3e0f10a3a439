import { HttpSource } from '../http-source';
import type { LegacyRecord } from '../../contracts/mapping';
import { SourceError, type FetchContext, type SourceAdapter, type SourceLimits } from '../source-adapter';
import { findFault, isNode, isXmlText, parseSoapBody, soapEnvelope, type XmlNode } from './soap-envelope';
import type { SoapSettings } from './soap-settings';

/**
 * Calls one SOAP 1.1 operation over HTTP with the citizen's local id and
 * returns the children of the result element as the legacy record.
 *
 * - A Fault whose code or detail names `notFoundFault` means no record (null).
 * - Any other Fault, a non-200 status without a Fault, or an answer that is
 *   not a SOAP envelope is unusable (`bad-response`); a 502/503/504 without
 *   a Fault is `unavailable`.
 * - The XML is parsed by fast-xml-parser with no DOCTYPE, no entity
 *   declarations and a nesting cap, and only after the size cap.
 */
export class SoapAdapter implements SourceAdapter {
  readonly kind = 'soap' as const;
  private readonly http: HttpSource;

  constructor(
    private readonly settings: SoapSettings,
    endpoint: string,
    private readonly limits: SourceLimits,
  ) {
    this.http = new HttpSource(endpoint, limits);
  }

  async fetch(localId: string, { signal, correlationId, traced }: FetchContext): Promise<LegacyRecord | null> {
    const { path, soapAction, namespace, operation, idElement, resultElement, notFoundFault } = this.settings;
    if (!isXmlText(localId)) throw new SourceError('bad-response', 'local id cannot be sent');
    const answer = await this.http.call({
      method: 'POST',
      path,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        accept: 'text/xml',
        soapaction: `"${soapAction}"`,
        'x-correlation-id': correlationId,
      },
      body: soapEnvelope(namespace, operation, { [idElement]: localId }),
      signal,
      traced,
    });

    let body: XmlNode;
    try {
      body = parseSoapBody(answer.body.toString('utf8'), this.limits.maxJsonDepth);
    } catch (error) {
      if (answer.status === 502 || answer.status === 503 || answer.status === 504) {
        throw new SourceError('unavailable', `HTTP ${answer.status}`);
      }
      throw new SourceError('bad-response', `HTTP ${answer.status}: ${(error as Error).message}`, { cause: error });
    }

    const fault = findFault(body);
    if (fault !== undefined) {
      if (fault.code === notFoundFault || fault.detail.includes(notFoundFault)) return null;
      throw new SourceError(
        'bad-response',
        `SOAP fault ${fault.code}${fault.detail.length > 0 ? ` (${fault.detail[0]})` : ''}`,
      );
    }
    if (answer.status !== 200) throw new SourceError('bad-response', `HTTP ${answer.status} without a fault`);

    const result = findElement(body, resultElement, 3);
    if (!isNode(result)) throw new SourceError('bad-response', `no ${resultElement} element in the answer`);
    return result;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** Breadth-first search for the first element named `name`, at most `depth` levels under `node`. */
function findElement(node: XmlNode, name: string, depth: number): unknown {
  let level: XmlNode[] = [node];
  for (let d = 0; d < depth && level.length > 0; d++) {
    const next: XmlNode[] = [];
    for (const current of level) {
      if (name in current) return current[name];
      for (const child of Object.values(current)) if (isNode(child)) next.push(child);
    }
    level = next;
  }
  return undefined;
}
