import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEC_RECORDS, type DecBirthRecord } from '../simulators/demo-records';
import { Faults } from '../simulators/faults';
import { playFault, send, serveHttp } from '../simulators/http-simulator';
import type { RunningSimulator, SimulatorOptions } from '../simulators/running-simulator';
import { escapeXml, isNode, parseSoapBody, SOAP_ENV_NS } from './soap-envelope';

/** The DEC service as the etat-civil.naissance contract describes it. */
export const DEC_SERVICE = {
  path: '/etat-civil/ServiceActeNaissance',
  soapAction: 'urn:quebec:dec:etat-civil:v1/ObtenirActeNaissance',
  namespace: 'urn:quebec:dec:etat-civil:v1',
  operation: 'ObtenirActeNaissance',
  idElement: 'NumeroInscription',
  resultElement: 'ActeNaissance',
  notFoundFault: 'ActeIntrouvable',
} as const;

const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * The Directeur de l'état civil's birth-record service: a real HTTP server
 * speaking SOAP 1.1 (text/xml, SOAPAction, Faults with HTTP 500). An unknown
 * registration number answers a Client fault with an `ActeIntrouvable`
 * detail, as such services do. Each request draws its own fault.
 */
export async function startDecSoapSimulator(
  options: SimulatorOptions & { records?: readonly DecBirthRecord[] } = {},
): Promise<RunningSimulator> {
  const faults = options.faults ?? new Faults();
  const host = options.host ?? '127.0.0.1';
  const records = new Map((options.records ?? DEC_RECORDS).map((record) => [record.NumeroInscription, record]));
  let garbageSent = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://simulator');
    if (url.pathname !== DEC_SERVICE.path) return send(response, 404, 'text/plain', 'Not Found');
    if (request.method !== 'POST') return send(response, 405, 'text/plain', 'Method Not Allowed');
    const xml = await readBody(request);
    const answer = await playFault(faults, request, response, {
      error: () => send(response, 500, 'text/xml', fault('Server', 'Erreur interne du service')),
      garbage: () => send(response, 200, 'text/xml', garbage(garbageSent++)),
    });
    if (!answer) return;
    if (xml === undefined || request.headers.soapaction !== `"${DEC_SERVICE.soapAction}"`) {
      return send(response, 500, 'text/xml', fault('Client', 'Requête invalide'));
    }
    const id = readRegistrationNumber(xml);
    if (id === undefined) return send(response, 500, 'text/xml', fault('Client', 'Requête invalide'));
    const record = records.get(id);
    if (record === undefined) {
      return send(response, 500, 'text/xml', fault('Client', 'Acte introuvable', DEC_SERVICE.notFoundFault));
    }
    return send(response, 200, 'text/xml', birthRecordEnvelope(record));
  };

  return serveHttp(handle, { host, port: options.port ?? 0, faults });
}

/** The request body as text, or undefined when it is larger than any valid request. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readRegistrationNumber(xml: string): string | undefined {
  try {
    const operation = parseSoapBody(xml, 16)[DEC_SERVICE.operation];
    const id = isNode(operation) ? operation[DEC_SERVICE.idElement] : undefined;
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

function envelope(body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP_ENV_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

function birthRecordEnvelope(record: DecBirthRecord): string {
  const fields = Object.entries(record)
    .map(([name, value]) => `<dec:${name}>${escapeXml(String(value))}</dec:${name}>`)
    .join('');
  return envelope(
    `<dec:${DEC_SERVICE.operation}Response xmlns:dec="${DEC_SERVICE.namespace}">` +
      `<dec:${DEC_SERVICE.resultElement}>${fields}</dec:${DEC_SERVICE.resultElement}>` +
      `</dec:${DEC_SERVICE.operation}Response>`,
  );
}

function fault(code: 'Client' | 'Server', text: string, detail?: string): string {
  const detailXml =
    detail === undefined
      ? ''
      : `<detail><dec:${detail} xmlns:dec="${DEC_SERVICE.namespace}"><dec:message>${escapeXml(text)}</dec:message></dec:${detail}></detail>`;
  return envelope(
    `<soap:Fault><faultcode>soap:${code}</faultcode><faultstring xml:lang="fr">${escapeXml(text)}</faultstring>${detailXml}</soap:Fault>`,
  );
}

/**
 * Three kinds of garbage in turn: an envelope cut off mid-element, random
 * bytes, and a well-formed envelope that declares a DOCTYPE with an entity
 * (which a safe client must refuse rather than expand).
 */
function garbage(sent: number): string | Buffer {
  switch (sent % 3) {
    case 0:
      return envelope('<dec:ObtenirActeNaissanceResponse><dec:ActeNaissance>').slice(0, -20);
    case 1:
      return randomBytes(256);
    default:
      return (
        `<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY x "xxxxxxxxxxxxxxxx">]>` +
        envelope(
          `<dec:${DEC_SERVICE.resultElement} xmlns:dec="${DEC_SERVICE.namespace}">&x;&x;</dec:${DEC_SERVICE.resultElement}>`,
        )
      );
  }
}
