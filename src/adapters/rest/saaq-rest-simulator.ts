import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SAAQ_RECORDS, type SaaqAddressRecord } from '../simulators/demo-records';
import { Faults } from '../simulators/faults';
import { playFault, send, serveHttp } from '../simulators/http-simulator';
import type { RunningSimulator, SimulatorOptions } from '../simulators/running-simulator';
import { applyAddressChange, isLoopbackAddress } from '../simulators/saaq-address-change';

const ADDRESS_PATH = /^\/v1\/permis\/([^/]+)\/adresse$/;
/** A change of address is a few hundred bytes. */
const MAX_CHANGE_BYTES = 16 * 1024;

/**
 * The SAAQ's licence-holder API: a real HTTP/1.1 server with keep-alive,
 * `GET /v1/permis/{numeroPermis}/adresse` answering JSON, or 404 when the
 * licence number is unknown. Each GET draws its own fault.
 *
 * `PUT` on the same path, from this host only, changes the address on file
 * (a SaaqAddressChange; `depuis` becomes the day of the change unless given)
 * and answers the new record: the demo's way to move a citizen. Changes live
 * in memory, until the simulator stops. They draw no fault.
 */
export async function startSaaqRestSimulator(
  options: SimulatorOptions & {
    records?: readonly SaaqAddressRecord[];
    /** Who may change an address, by the peer's address: this host only, by default. */
    changesFrom?: (remoteAddress: string | undefined) => boolean;
  } = {},
): Promise<RunningSimulator> {
  const faults = options.faults ?? new Faults();
  const host = options.host ?? '127.0.0.1';
  const records = new Map((options.records ?? SAAQ_RECORDS).map((record) => [record.numeroPermis, record]));
  let garbageSent = 0;
  const changesFrom = options.changesFrom ?? isLoopbackAddress;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const match = ADDRESS_PATH.exec(new URL(request.url ?? '/', 'http://simulator').pathname);
    if (match !== null && request.method === 'PUT') {
      if (!changesFrom(request.socket.remoteAddress)) {
        request.resume();
        return problem(response, 403, 'Modification permise depuis cet hôte seulement');
      }
      return changeAddress(request, response, match[1], records);
    }
    // The request has no body; drain whatever came so that the socket can be reused.
    request.resume();
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
    return send(response, 200, 'application/json', JSON.stringify(record));
  };

  return serveHttp(handle, { host, port: options.port ?? 0, faults });
}

function problem(response: ServerResponse, status: number, title: string, errors?: string[]): void {
  send(response, status, 'application/problem+json', JSON.stringify({ title, status, errors }));
}

async function changeAddress(
  request: IncomingMessage,
  response: ServerResponse,
  encodedId: string,
  records: Map<string, SaaqAddressRecord>,
): Promise<void> {
  const body = await readBody(request, MAX_CHANGE_BYTES);
  if (body === undefined) return problem(response, 413, 'Corps trop volumineux');
  let change: unknown;
  try {
    change = JSON.parse(body.toString('utf8'));
  } catch {
    return problem(response, 400, 'Requête invalide', ['the body must be JSON']);
  }
  let current: SaaqAddressRecord | undefined;
  try {
    current = records.get(decodeURIComponent(encodedId));
  } catch {
    return problem(response, 400, 'Numéro de permis invalide');
  }
  if (current === undefined) return problem(response, 404, 'Permis introuvable');
  const outcome = applyAddressChange(current, change, new Date().toISOString().slice(0, 10));
  if ('errors' in outcome) return problem(response, 400, 'Adresse invalide', outcome.errors);
  records.set(current.numeroPermis, outcome.record);
  return send(response, 200, 'application/json', JSON.stringify(outcome.record));
}

/** The request body, or undefined past `limit` bytes (the rest is drained). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
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
