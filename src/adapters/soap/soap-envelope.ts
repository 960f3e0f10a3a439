import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** SOAP 1.1 envelope namespace. */
export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** What a SOAP Body holds once parsed: element local names to their text or children. */
export type XmlNode = Record<string, unknown>;

export interface SoapFault {
  /** Local part of `faultcode`: `Client`, `Server`, ... */
  code: string;
  /** Local names of the elements under `detail`. */
  detail: string[];
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an element's content or an attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

/** True when every character may appear in an XML 1.0 document (no C0 controls but tab, CR and LF; no lone surrogates). */
export function isXmlText(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/u.test(text);
}

/** A SOAP 1.1 envelope around `<operation><child>value</child></operation>` in `namespace`. */
export function soapEnvelope(namespace: string, operation: string, children: Record<string, string>): string {
  const inner = Object.entries(children)
    .map(([name, value]) => `<m:${name}>${escapeXml(value)}</m:${name}>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP_ENV_NS}"><soap:Body>` +
    `<m:${operation} xmlns:m="${escapeXml(namespace)}">${inner}</m:${operation}>` +
    `</soap:Body></soap:Envelope>`
  );
}

const parsers = new Map<number, XMLParser>();

/**
 * Parses a SOAP envelope and returns its Body. The document must be
 * well-formed, carry no DOCTYPE (so no entity can be declared, expanded or
 * fetched) and nest at most `maxDepth` elements. Namespace prefixes are
 * dropped and every value stays a string: a legacy code such as `0042` must
 * not turn into 42. Error messages name what was wrong, never the content.
 */
export function parseSoapBody(xml: string, maxDepth: number): XmlNode {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error('a DOCTYPE is not accepted');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML (${valid.err.code} at line ${valid.err.line})`);
  let parser = parsers.get(maxDepth);
  if (parser === undefined) {
    parser = new XMLParser({
      ignoreAttributes: true,
      removeNSPrefix: true,
      parseTagValue: false,
      trimValues: true,
      // Without a DOCTYPE only the five predefined entities and character references (&#233;) remain.
      // fast-xml-parser decodes character references under `htmlEntities`, which also maps HTML names
      // such as &nbsp; to fixed characters: lenient, never an expansion.
      processEntities: true,
      htmlEntities: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: maxDepth,
    });
    parsers.set(maxDepth, parser);
  }
  const document = parser.parse(xml) as XmlNode;
  const envelope = document.Envelope;
  if (!isNode(envelope) || !isNode(envelope.Body)) throw new Error('not a SOAP envelope');
  return envelope.Body;
}

/** The Body's Fault, if it carries one. */
export function findFault(body: XmlNode): SoapFault | undefined {
  const fault = body.Fault;
  if (fault === undefined) return undefined;
  if (!isNode(fault)) return { code: 'unknown', detail: [] };
  const code = typeof fault.faultcode === 'string' ? localName(fault.faultcode) : 'unknown';
  const detail = isNode(fault.detail) ? Object.keys(fault.detail) : [];
  return { code, detail };
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function localName(qualified: string): string {
  const name = qualified.slice(qualified.indexOf(':') + 1);
  return /^[A-Za-z_][A-Za-z0-9._-]{0,63}$/.test(name) ? name : 'unknown';
}
