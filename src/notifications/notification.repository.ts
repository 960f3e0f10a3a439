import { Injectable } from '@nestjs/common';
import { Sql, type PreparedStatement } from '../platform/database/sql';
import type { CitizenChannel, ContactChoices } from './citizen-channels';

export type Channel = 'webhook' | CitizenChannel;

/** What waits to go out: events not yet turned into deliveries, and deliveries not yet made. */
export interface OutboxBacklog {
  undispatched: number;
  undelivered: number;
  /** Age of the oldest waiting event, in seconds; 0 when nothing waits. */
  oldestSeconds: number;
}

/** A delivery claimed for one attempt, with its event and, for a webhook, the current URL. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  channel: Channel;
  recipient: string;
  attempts: number;
  type: string;
  /** The organisation the event concerns. */
  organisation: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
  url: string | null;
}

const CLAIM_EVENTS: PreparedStatement = {
  name: 'outbox.claim-events',
  text: `SELECT e.id, e.type, e.organisation, e.citizen, e.payload->>'purpose' AS purpose,
                w.url IS NOT NULL AS "hasWebhook"
         FROM outbox_event e LEFT JOIN organisation_webhook w ON w.organisation = e.organisation
         WHERE e.dispatched_at IS NULL ORDER BY e.id LIMIT $1 FOR UPDATE OF e SKIP LOCKED`,
};
// Both counts use the partial indexes the dispatcher claims through.
const BACKLOG: PreparedStatement = {
  name: 'outbox.backlog',
  text: `SELECT (SELECT count(*) FROM outbox_event WHERE dispatched_at IS NULL)::int AS undispatched,
                (SELECT count(*) FROM notification_delivery WHERE status = 'pending')::int AS undelivered,
                COALESCE(extract(epoch FROM now() - LEAST(
                  (SELECT min(created_at) FROM outbox_event WHERE dispatched_at IS NULL),
                  (SELECT min(e.created_at) FROM notification_delivery d JOIN outbox_event e ON e.id = d.event_id
                    WHERE d.status = 'pending'))), 0)::float8 AS "oldestSeconds"`,
};
// What dispatching needs of the citizens' records: whether they can be reached and what they chose, no address.
const CONTACT_CHOICES: PreparedStatement = {
  name: 'outbox.contact-choices',
  text: `SELECT subject, email IS NOT NULL AND email_confirmed AS mailable, mobile IS NOT NULL AS textable,
                mail_events AS "mailEvents", sms_events AS "smsEvents"
         FROM citizen_contact WHERE subject = ANY($1::text[])`,
};
const ADD_DELIVERY: PreparedStatement = {
  name: 'outbox.add-delivery',
  text: `INSERT INTO notification_delivery (event_id, channel, recipient) VALUES ($1, $2, $3)
         ON CONFLICT (event_id, channel) DO NOTHING`,
};
const MARK_DISPATCHED: PreparedStatement = {
  name: 'outbox.mark-dispatched',
  text: 'UPDATE outbox_event SET dispatched_at = now() WHERE id = ANY($1::bigint[])',
};
// Claiming leases the delivery: another dispatcher (or this one after a crash) retries it after the lease.
const CLAIM_DUE: PreparedStatement = {
  name: 'outbox.claim-due',
  text: `WITH claimed AS (
           UPDATE notification_delivery d SET next_attempt_at = now() + ($2 || ' milliseconds')::interval
           WHERE d.id IN (
             SELECT id FROM notification_delivery
             WHERE status = 'pending' AND next_attempt_at <= now() AND recipient <> ALL($3::text[])
               AND channel = ANY($4::text[])
             ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING d.id, d.event_id, d.channel, d.recipient, d.attempts)
         SELECT c.id, c.event_id AS "eventId", c.channel, c.recipient, c.attempts, e.type, e.organisation, e.payload,
                e.created_at AS "occurredAt", w.url
         FROM claimed c JOIN outbox_event e ON e.id = c.event_id
         LEFT JOIN organisation_webhook w ON c.channel = 'webhook' AND w.organisation = c.recipient`,
};
const DELIVERED: PreparedStatement = {
  name: 'outbox.delivered',
  text: `UPDATE notification_delivery SET status = 'delivered', attempts = attempts + 1, delivered_at = now(),
           last_error = NULL WHERE id = $1`,
};
const FAILED: PreparedStatement = {
  name: 'outbox.failed',
  text: `UPDATE notification_delivery SET attempts = attempts + 1, last_error = $2,
           status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,
           next_attempt_at = now() + ($4 || ' milliseconds')::interval
         WHERE id = $1`,
};
// A citizen's message with nobody to go to: done with, not retried.
const SKIPPED: PreparedStatement = {
  name: 'outbox.skipped',
  text: `UPDATE notification_delivery SET status = 'skipped', attempts = attempts + 1, last_error = $2 WHERE id = $1`,
};
const SET_WEBHOOK: PreparedStatement = {
  name: 'webhook.set',
  text: `INSERT INTO organisation_webhook (organisation, url) VALUES ($1, $2)
         ON CONFLICT (organisation) DO UPDATE SET url = EXCLUDED.url, updated_at = now()`,
};
const GET_WEBHOOK: PreparedStatement = {
  name: 'webhook.get',
  text: 'SELECT url FROM organisation_webhook WHERE organisation = $1',
};
const DELETE_WEBHOOK: PreparedStatement = {
  name: 'webhook.delete',
  text: 'DELETE FROM organisation_webhook WHERE organisation = $1',
};

@Injectable()
export class NotificationRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Turns undispatched outbox events into deliveries: a webhook when the
   * organisation has one and `wantsWebhook(type)`, and a message on each
   * channel `citizenChannels` names from the citizen's contact choices (none
   * without a record). Every event is marked dispatched, delivered or not:
   * an event with nobody to tell is done with. Returns how many it dispatched.
   */
  dispatch(
    limit: number,
    wantsWebhook: (type: string) => boolean,
    citizenChannels: (type: string, purpose: string | null, choices: ContactChoices | undefined) => CitizenChannel[],
  ): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const events = await tx.query<{
        id: string;
        type: string;
        organisation: string;
        citizen: string;
        purpose: string | null;
        hasWebhook: boolean;
      }>(CLAIM_EVENTS, [limit]);
      const citizens = [...new Set(events.map((event) => event.citizen))];
      const rows =
        citizens.length === 0 ? [] : await tx.query<ContactChoices & { subject: string }>(CONTACT_CHOICES, [citizens]);
      const choices = new Map(rows.map((row) => [row.subject, row]));
      for (const event of events) {
        if (event.hasWebhook && wantsWebhook(event.type)) {
          await tx.query(ADD_DELIVERY, [event.id, 'webhook', event.organisation]);
        }
        for (const channel of citizenChannels(event.type, event.purpose, choices.get(event.citizen))) {
          await tx.query(ADD_DELIVERY, [event.id, channel, event.citizen]);
        }
      }
      if (events.length > 0) await tx.query(MARK_DISPATCHED, [events.map((e) => e.id)]);
      return events.length;
    });
  }

  /** Leases due deliveries on `channels` (a channel that cannot be sent now keeps its deliveries waiting). */
  claimDue(limit: number, leaseMs: number, busyRecipients: string[], channels: Channel[]): Promise<ClaimedDelivery[]> {
    return this.sql.query<ClaimedDelivery & Record<string, unknown>>(CLAIM_DUE, [
      limit,
      String(leaseMs),
      busyRecipients,
      channels,
    ]);
  }

  async skipped(id: string, reason: string): Promise<void> {
    await this.sql.query(SKIPPED, [id, reason]);
  }

  async delivered(id: string): Promise<void> {
    await this.sql.query(DELIVERED, [id]);
  }

  async failed(id: string, reason: string, maxAttempts: number, retryInMs: number): Promise<void> {
    await this.sql.query(FAILED, [id, reason.slice(0, 200), maxAttempts, String(retryInMs)]);
  }

  async backlog(): Promise<OutboxBacklog> {
    return (await this.sql.query<OutboxBacklog & Record<string, unknown>>(BACKLOG, []))[0];
  }

  async setWebhook(organisation: string, url: string): Promise<void> {
    await this.sql.query(SET_WEBHOOK, [organisation, url]);
  }

  async getWebhook(organisation: string): Promise<string | undefined> {
    return (await this.sql.query<{ url: string }>(GET_WEBHOOK, [organisation]))[0]?.url;
  }

  async deleteWebhook(organisation: string): Promise<void> {
    await this.sql.query(DELETE_WEBHOOK, [organisation]);
  }
}
