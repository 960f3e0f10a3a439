import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { listenOn } from '../../platform/net/listen';
import { RQ_RECORDS } from '../simulators/demo-records';
import type { RqAssessmentRecord } from './rq-copybook';
import { Faults } from '../simulators/faults';
import type { RunningSimulator, SimulatorOptions } from '../simulators/running-simulator';
import { encodeRecord } from './copybook';
import {
  decodeRequest,
  encodeResponse,
  FOUND,
  FrameReader,
  NOT_FOUND,
  REQUEST_FRAME_LENGTH,
  responseFrameLength,
  SERVER_ERROR,
  type RecordRequest,
} from './record-protocol';
import { RQ_AVIS_COPYBOOK, rqAssessmentValues } from './rq-copybook';

const LAYOUT = RQ_AVIS_COPYBOOK;

/**
 * Revenu Québec's mainframe record service: a real TCP server speaking
 * record-protocol.ts with the AVIS transaction over cp037 records. Requests
 * on one connection are answered one at a time and in order, as a
 * single-threaded transaction program would. Each request draws its own fault.
 */
export async function startRqRecordSimulator(
  options: SimulatorOptions & { records?: readonly RqAssessmentRecord[] } = {},
): Promise<RunningSimulator> {
  const faults = options.faults ?? new Faults();
  const host = options.host ?? '127.0.0.1';
  const records = new Map(
    (options.records ?? RQ_RECORDS).map((record) => [record.dossier, encodeRecord(rqAssessmentValues(record), LAYOUT)]),
  );
  const sockets = new Set<Socket>();
  let garbageSent = 0;

  const answer = async (socket: Socket, payload: Buffer): Promise<void> => {
    const action = await faults.next();
    // The client may have given up during the latency.
    if (socket.destroyed) return;
    switch (action) {
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'error':
        socket.write(encodeResponse({ code: SERVER_ERROR }, LAYOUT.encoding));
        return;
      case 'garbage':
        sendGarbage(socket, garbageSent++);
        return;
      case 'answer':
        break;
    }
    let request: RecordRequest | undefined;
    try {
      request = decodeRequest(payload, LAYOUT.encoding);
    } catch {
      request = undefined;
    }
    // An unreadable request, or a transaction this region does not run, would abend.
    if (request === undefined || request.transaction !== LAYOUT.transaction) {
      socket.write(encodeResponse({ code: SERVER_ERROR }, LAYOUT.encoding));
      return;
    }
    const record = records.get(request.key);
    socket.write(encodeResponse(record === undefined ? { code: NOT_FOUND } : { code: FOUND, record }, LAYOUT.encoding));
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const reader = new FrameReader(REQUEST_FRAME_LENGTH);
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let payloads: Buffer[];
      try {
        payloads = reader.push(chunk);
      } catch {
        // After a malformed header there is no finding the next frame again.
        socket.destroy();
        return;
      }
      for (const payload of payloads) {
        queue = queue
          .then(() => answer(socket, payload))
          .catch(() => {
            socket.destroy();
          });
      }
    });
  });

  const port = await listenOn(server, options.port ?? 0, host);
  return {
    url: `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    faults,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Two kinds of garbage, alternating so that a test sees both: a header
 * announcing more bytes than any answer of this layout, then random bytes (a
 * lost record boundary; the connection ends, since framing cannot recover);
 * and a well-framed '00' answer whose record is random bytes with an invalid
 * packed sign forced in, so that it can never decode by chance.
 */
function sendGarbage(socket: Socket, sent: number): void {
  if (sent % 2 === 0) {
    const length = responseFrameLength(LAYOUT.recordLength) + 1 + randomInt(100);
    const bytes = randomBytes(length);
    bytes.writeUInt16BE(length, 0);
    bytes.writeUInt16BE(0, 2);
    socket.end(bytes);
    return;
  }
  const record = randomBytes(LAYOUT.recordLength);
  const packed = LAYOUT.fields.find((field) => field.type === 'packed');
  if (packed !== undefined) record[packed.offset + packed.length - 1] = 0x1a; // sign nibble A
  socket.write(encodeResponse({ code: FOUND, record }, LAYOUT.encoding));
}
