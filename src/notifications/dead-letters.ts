import type { Channel } from './notification.repository';

/** Runs one statement on the outbox's database: the caller's connection, whatever holds it. */
export type OutboxQuery = <T>(text: string, values: unknown[]) => Promise<T[]>;

export type DeliveryStatus = 'pending' | 'dead';

/**
 * A delivery still owed, as an operator sees it: never the citizen's id (a
 * message to a citizen names only its channel), nor what was sent.
 */
export interface OwedDelivery {
  id: string;
  eventId: string;
  type: string;
  organisation: string;
  channel: Channel;
  /** The organisation a webhook goes to; null for a message to a citizen. */
  recipient: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  occurredAt: string;
  nextAttemptAt: string;
}

const OWED = `SELECT d.id::text, d.event_id::text AS "eventId", e.type, e.organisation, d.channel,
                     CASE WHEN d.channel = 'webhook' THEN d.recipient END AS recipient, d.status, d.attempts,
                     d.last_error AS "lastError", e.created_at AS "occurredAt", d.next_attempt_at AS "nextAttemptAt"
                FROM notification_delivery d JOIN outbox_event e ON e.id = d.event_id`;

function owed(row: Omit<OwedDelivery, 'occurredAt' | 'nextAttemptAt'> & { occurredAt: Date; nextAttemptAt: Date }) {
  return { ...row, occurredAt: row.occurredAt.toISOString(), nextAttemptAt: row.nextAttemptAt.toISOString() };
}

/** The deliveries not made yet, dead-lettered ones only when `deadOnly`, oldest first. */
export async function owedDeliveries(query: OutboxQuery, deadOnly: boolean, limit: number): Promise<OwedDelivery[]> {
  const rows = await query<Parameters<typeof owed>[0]>(
    `${OWED} WHERE d.status = ANY($1::text[]) ORDER BY d.id LIMIT $2`,
    [deadOnly ? ['dead'] : ['pending', 'dead'], limit],
  );
  return rows.map(owed);
}

/** One delivery by id, whatever its status, or undefined. */
export async function deliveryStatus(query: OutboxQuery, id: string): Promise<string | undefined> {
  const rows = await query<{ status: string }>('SELECT status FROM notification_delivery WHERE id = $1', [id]);
  return rows[0]?.status;
}

/**
 * Puts dead-lettered deliveries back in the queue (all of them, or the one
 * `id`): due now, with a full set of attempts again, as if just dispatched.
 * The dispatcher of any node claims them on its next round. Only dead letters
 * move: a pending or delivered one is never sent twice by this. Returns the
 * ids requeued.
 */
export async function requeueDead(query: OutboxQuery, id: string | undefined): Promise<string[]> {
  // As a SELECT over the update: a caller's query function may answer an UPDATE with its row count alone.
  const rows = await query<{ id: string }>(
    `WITH moved AS (
       UPDATE notification_delivery SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
        WHERE status = 'dead' AND ($1::bigint IS NULL OR id = $1::bigint) RETURNING id)
     SELECT id::text FROM moved`,
    [id ?? null],
  );
  return rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
}

/** What `requeueDead` would move, changing nothing. */
export async function deadToRequeue(query: OutboxQuery, id: string | undefined): Promise<OwedDelivery[]> {
  const rows = await query<Parameters<typeof owed>[0]>(
    `${OWED} WHERE d.status = 'dead' AND ($1::bigint IS NULL OR d.id = $1::bigint) ORDER BY d.id`,
    [id ?? null],
  );
  return rows.map(owed);
}
