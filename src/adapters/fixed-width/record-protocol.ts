import type { FixedWidthEncoding } from './copybook-layout';
import { decodeText, encodeText } from './cp037';

/**
 * The wire protocol of a mainframe record service: a socket transaction in
 * the style of a CICS listener or IMS Connect. It is a request/response
 * exchange over TCP rather than a file drop because a brokered exchange is
 * synchronous: one citizen, one answer, within a deadline. A file drop is a
 * batch interface, answered hours later for many records at once.
 *
 * Every message is a frame:
 *
 *   LL (2 bytes, big-endian: length of the whole frame, these 4 bytes included)
 *   00 00 (2 bytes, reserved, as in a z/OS record descriptor word)
 *   payload (LL - 4 bytes)
 *
 * Payloads are in the record encoding (cp037 or ASCII), space-padded:
 *
 *   request   TRANSACTION X(4) | KEY X(20) | CORRELATION-ID X(32)       LL = 60
 *   response  RETURN-CODE X(2) | record (recordLength bytes), when '00'   LL = 6 + recordLength
 *             RETURN-CODE X(2), when '04' (not found) or '12' (error)    LL = 6
 *
 * A connection may carry several requests in turn; each gets exactly one
 * response frame, in order.
 */

export const HEADER_LENGTH = 4;
export const TRANSACTION_LENGTH = 4;
export const KEY_LENGTH = 20;
export const CORRELATION_LENGTH = 32;
export const REQUEST_FRAME_LENGTH = HEADER_LENGTH + TRANSACTION_LENGTH + KEY_LENGTH + CORRELATION_LENGTH;
const RETURN_CODE_LENGTH = 2;
/** LL is 16 bits. */
const MAX_FRAME_LENGTH = 0xffff;

export const FOUND = '00';
export const NOT_FOUND = '04';
export const SERVER_ERROR = '12';
export type ReturnCode = typeof FOUND | typeof NOT_FOUND | typeof SERVER_ERROR;

export interface RecordRequest {
  transaction: string;
  /** The source's local id of the citizen. */
  key: string;
  correlationId: string;
}

export type RecordResponse = { code: typeof FOUND; record: Buffer } | { code: typeof NOT_FOUND | typeof SERVER_ERROR };

/** The largest frame a response of this layout can be. */
export function responseFrameLength(recordLength: number): number {
  return HEADER_LENGTH + RETURN_CODE_LENGTH + recordLength;
}

export function frame(payload: Buffer): Buffer {
  const length = HEADER_LENGTH + payload.length;
  if (length > MAX_FRAME_LENGTH) throw new Error(`a frame cannot hold ${payload.length} bytes`);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(length, 0);
  return Buffer.concat([header, payload]);
}

/**
 * The request frame. Throws when the key cannot be sent as it is (empty, too
 * long, padded, or not representable); the message never contains the key.
 * The correlation id only serves the source's logs, so it is sent in a lossy
 * form rather than refused: printable ASCII, cut to 32 characters (the
 * gateway's ids are 32 hex digits and fit exactly).
 */
export function encodeRequest(request: RecordRequest, encoding: FixedWidthEncoding): Buffer {
  const { key } = request;
  if (key.length === 0 || key.length > KEY_LENGTH) throw new Error(`the key must be 1 to ${KEY_LENGTH} characters`);
  if (key.trim() !== key) throw new Error('the key must not start or end with spaces');
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) throw new Error('the key must not contain control characters');
  }
  const correlation = request.correlationId.replace(/[^\x20-\x7e]/g, '?').slice(0, CORRELATION_LENGTH);
  return frame(
    Buffer.concat([
      encodeText(request.transaction, TRANSACTION_LENGTH, encoding),
      encodeText(key, KEY_LENGTH, encoding),
      encodeText(correlation, CORRELATION_LENGTH, encoding),
    ]),
  );
}

/** Parses a request payload (the frame without its header). */
export function decodeRequest(payload: Buffer, encoding: FixedWidthEncoding): RecordRequest {
  if (payload.length !== REQUEST_FRAME_LENGTH - HEADER_LENGTH) throw new Error('request payload of the wrong length');
  const text = (start: number, length: number): string =>
    decodeText(payload.subarray(start, start + length), encoding).trimEnd();
  return {
    transaction: text(0, TRANSACTION_LENGTH),
    key: text(TRANSACTION_LENGTH, KEY_LENGTH),
    correlationId: text(TRANSACTION_LENGTH + KEY_LENGTH, CORRELATION_LENGTH),
  };
}

export function encodeResponse(response: RecordResponse, encoding: FixedWidthEncoding): Buffer {
  const code = encodeText(response.code, RETURN_CODE_LENGTH, encoding);
  return frame(response.code === FOUND ? Buffer.concat([code, response.record]) : code);
}

/**
 * Parses a response payload. Throws on an unknown return code or a length
 * that does not match it; messages quote neither the code nor the bytes.
 */
export function decodeResponse(payload: Buffer, recordLength: number, encoding: FixedWidthEncoding): RecordResponse {
  if (payload.length < RETURN_CODE_LENGTH) throw new Error('response without a return code');
  const code = decodeText(payload.subarray(0, RETURN_CODE_LENGTH), encoding);
  const rest = payload.subarray(RETURN_CODE_LENGTH);
  switch (code) {
    case FOUND:
      if (rest.length !== recordLength)
        throw new Error(`record of ${rest.length} bytes; the layout has ${recordLength}`);
      return { code, record: rest };
    case NOT_FOUND:
    case SERVER_ERROR:
      if (rest.length !== 0) throw new Error(`return code ${code} followed by ${rest.length} bytes`);
      return { code };
    default:
      throw new Error('unknown return code');
  }
}

/**
 * Cuts a byte stream into frame payloads. The header is checked as soon as it
 * arrives, so a peer announcing more than `maxFrameLength` is refused before
 * any of its payload is buffered.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameLength: number) {}

  /** The payloads completed by this chunk. Throws on a malformed header. */
  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const payloads: Buffer[] = [];
    while (this.buffered.length >= HEADER_LENGTH) {
      const length = this.buffered.readUInt16BE(0);
      if (this.buffered.readUInt16BE(2) !== 0) throw new Error('frame header with non-zero reserved bytes');
      if (length <= HEADER_LENGTH) throw new Error(`frame length ${length} leaves no payload`);
      if (length > this.maxFrameLength) throw new Error(`frame length ${length} exceeds ${this.maxFrameLength}`);
      if (this.buffered.length < length) break;
      payloads.push(this.buffered.subarray(HEADER_LENGTH, length));
      this.buffered = this.buffered.subarray(length);
    }
    return payloads;
  }

  /** Bytes of an incomplete frame. */
  get pending(): number {
    return this.buffered.length;
  }
}
