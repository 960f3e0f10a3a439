/**
 * Every event the transactional outbox carries, by type, with its payload as
 * it is stored and delivered (a webhook's `data`, the material of a citizen's
 * message). Contexts that report changes build these and hand them to the
 * OutboxWriter; the payload shapes are the wire format, so they change only
 * with the receivers. Pure.
 */

/** A product a consent covers, optionally narrowed to some of its fields. */
export interface EventProduct {
  product: string;
  fields?: string[];
}

/** A consent record as its events report it: dates as ISO 8601 strings. */
export interface ConsentEventPayload {
  consentId: string;
  citizen: string;
  requester: string;
  purpose: string;
  products: EventProduct[];
  /** The record's status: `active` when granted, `revoked` or `expired` for the successor that ends it. */
  status: string;
  validFrom: string;
  validUntil: string;
  predecessorId: string | null;
  requestId: string | null;
}

/** An agency asked the citizen for consent. */
export interface ConsentRequestCreatedPayload {
  requestId: string;
  requester: string;
  purpose: string;
  products: EventProduct[];
}

/** The citizen answered a request: `consentId` is the record the answer made (active, or refused). */
export interface ConsentRequestDecidedPayload {
  requestId: string;
  consentId: string;
  citizen: string;
  status: 'approved' | 'rejected';
  purpose: string;
}

/**
 * A product of the citizen changed at its owner, and the receiver may know it:
 * no data, only what to fetch through an exchange. `citizen` is the pivot id
 * here; the receiver reads its own sector's identifier.
 */
export interface ProductChangedPayload {
  changeId: string;
  product: string;
  citizen: string;
  changedAt: string;
  /** The purpose the receiver subscribed with, whose basis covers the citizen. */
  purpose: string;
}

/** Each event type's payload. */
export interface OutboxPayloads {
  'consent.granted': ConsentEventPayload;
  'consent.revoked': ConsentEventPayload;
  'consent.expired': ConsentEventPayload;
  'consent-request.created': ConsentRequestCreatedPayload;
  'consent-request.approved': ConsentRequestDecidedPayload;
  'consent-request.rejected': ConsentRequestDecidedPayload;
  'product.changed': ProductChangedPayload;
}

export type OutboxEventType = keyof OutboxPayloads;

/** The events of a consent record's life. */
export type ConsentEventType = Extract<OutboxEventType, `consent.${string}`>;

/** An event for the transactional outbox, committed with the change it reports. */
export type OutboxEvent = {
  [T in OutboxEventType]: {
    type: T;
    /** The organisation concerned: the webhook's receiver. */
    organisation: string;
    /** The citizen concerned: the message's recipient. */
    citizen: string;
    payload: OutboxPayloads[T];
  };
}[OutboxEventType];

const TYPES: Record<OutboxEventType, true> = {
  'consent.granted': true,
  'consent.revoked': true,
  'consent.expired': true,
  'consent-request.created': true,
  'consent-request.approved': true,
  'consent-request.rejected': true,
  'product.changed': true,
};

/** Every event type, in a fixed order. */
export const OUTBOX_EVENT_TYPES = Object.keys(TYPES) as OutboxEventType[];

/** True for a type the outbox knows: a row's `type` column is read back as a plain string. */
export function isOutboxEventType(type: string): type is OutboxEventType {
  return Object.hasOwn(TYPES, type);
}
