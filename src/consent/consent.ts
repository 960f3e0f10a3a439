/** The consent model: records, their terms, and how they read at a given time. Pure. */
import { windowAt } from './in-force';

export type ConsentMode = 'one-time' | 'ongoing';
export type ConsentStatus = 'pending' | 'active' | 'refused' | 'revoked' | 'expired';

/** A product the consent covers, optionally narrowed to fewer fields than the contract allows. */
export interface ConsentProduct {
  product: string;
  fields?: string[];
}

/** What the citizen agrees to: checked against the contracts before any record is made. */
export interface ConsentTerms {
  requester: string;
  purpose: string;
  products: ConsentProduct[];
  validFrom: Date;
  validUntil: Date;
  mode: ConsentMode;
  /** The requester is told when a product of the citizen changes (an ongoing consent only). */
  keepUpToDate: boolean;
}

/** One immutable consent record. A change is a successor record with `predecessorId` set. */
export interface ConsentRecord extends ConsentTerms {
  id: string;
  citizen: string;
  status: ConsentStatus;
  createdAt: Date;
  decidedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  predecessorId: string | null;
  requestId: string | null;
}

/** A record as the API shows it: the record, whether it was superseded, and its use. */
export interface ConsentView {
  id: string;
  citizen: string;
  requester: string;
  purpose: string;
  products: ConsentProduct[];
  validFrom: string;
  validUntil: string;
  mode: ConsentMode;
  keepUpToDate: boolean;
  status: ConsentStatus;
  createdAt: string;
  decidedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  predecessorId: string | null;
  successorId: string | null;
  requestId: string | null;
  useCount: number;
  lastUsedAt: string | null;
}

/**
 * Expiry is decided when the record is read: an active record whose
 * `validUntil` has come (`validUntil == now` included) is expired, whether or
 * not the expiry job has written its successor yet.
 */
export function effectiveStatus(record: Pick<ConsentRecord, 'status' | 'validUntil'>, now: Date): ConsentStatus {
  return record.status === 'active' && windowAt(undefined, record.validUntil, now) === 'after'
    ? 'expired'
    : record.status;
}

export function toView(
  record: ConsentRecord,
  extra: { successorId: string | null; useCount: number; lastUsedAt: Date | null },
  now: Date,
): ConsentView {
  const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());
  return {
    id: record.id,
    citizen: record.citizen,
    requester: record.requester,
    purpose: record.purpose,
    products: record.products,
    validFrom: record.validFrom.toISOString(),
    validUntil: record.validUntil.toISOString(),
    mode: record.mode,
    keepUpToDate: record.keepUpToDate,
    // A superseded record shows what it was; the head shows what holds now.
    status: extra.successorId === null ? effectiveStatus(record, now) : record.status,
    createdAt: record.createdAt.toISOString(),
    decidedAt: iso(record.decidedAt),
    revokedAt: iso(record.revokedAt),
    revokedBy: record.revokedBy,
    predecessorId: record.predecessorId,
    successorId: extra.successorId,
    requestId: record.requestId,
    useCount: extra.useCount,
    lastUsedAt: iso(extra.lastUsedAt),
  };
}

/** The successor that ends `record`: same terms, a new status and when. */
export function successorOf(
  record: ConsentRecord,
  change: { id: string; status: 'revoked' | 'expired'; at: Date; by: string | null },
): ConsentRecord {
  return {
    ...record,
    id: change.id,
    status: change.status,
    createdAt: change.at,
    decidedAt: record.decidedAt,
    revokedAt: change.status === 'revoked' ? change.at : null,
    revokedBy: change.status === 'revoked' ? change.by : null,
    predecessorId: record.id,
  };
}
