import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SAAQ_RECORDS, type SaaqAddressRecord } from '../simulators/demo-records';
import { Faults } from '../simulators/faults';
import { playFault, send, serveHttp } from '../simulators/http-simulator';
import type { RunningSimulator, SimulatorOptions } from '../simulators/running-simulator';

const ADDRESS_PATH = /^\/v1\/permis\/([^/]+)\/adresse$/;

/**
 * The SAAQ's licence-holder API: a real HTTP/1.1 server with keep-alive,
 * `GET /v1/permis/{numeroPermis}/adresse` answering JSON, or 404 when the
 * licence number is unknown. Each request draws its own fault.
 */
export async function startSaaqRestSimulator(
  options: SimulatorOptions & { records?: readonly SaaqAddressRecord[] } = {},
): Promise<RunningSimulator> {
  const faults = options.faults ?? new Faults();
  const host = options.host ?? '127.0.0.1';
  const records = new Map(
    (options.records ?? SAAQ_RECORDS).map((record) => [record.numeroPermis, JSON.stringify(record)]),
  );
  let garbageSent = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // The request has no body; drain whatever came so that the socket can be reused.
    request.resume();
    const match = ADDRESS_PATH.exec(new URL(request.url ?? '/', 'http://simulator').pathname);
    if (match === null) return send(response, 404, 'application/problem+json', '{"title":"Ressource inconnue"}');
    if (request.method !== 'GET') return send(response, 405, 'application/problem+json', '{"title":"Méthode"}');
    const answer = await playFault(faults, request, response, {
      error: () => send(response, 500, 'application/problem+json', '{"title":"Erreur interne"}'),
      garbage: () => send(response, 200, 'application/json', garbage(garbageSent++)),
    });
    if (!answer) return;
    let id: string;
    try {
      id = decodeURIComponent(match[1]);
    } catch {
      return send(response, 400, 'application/problem+json', '{"title":"Numéro de permis invalide"}');
    }
    const record = records.get(id);
    if (record === undefined) return send(response, 404, 'application/problem+json', '{"title":"Permis introuvable"}');
    return send(response, 200, 'application/json', record);
  };

  return serveHttp(handle, { host, port: options.port ?? 0, faults });
}

/** Three kinds of garbage in turn: truncated JSON, random bytes, and JSON nested far deeper than any record. */
function garbage(sent: number): string | Buffer {
  switch (sent % 3) {
    case 0:
      return JSON.stringify(SAAQ_RECORDS[0]).slice(0, 40);
    case 1:
      return randomBytes(256);
    default:
      return `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  }
}
