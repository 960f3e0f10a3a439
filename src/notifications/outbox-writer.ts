import { Injectable } from '@nestjs/common';
import type { PreparedStatement, SqlTransaction } from '../platform/database/sql';
import type { OutboxEvent } from './outbox-events';

const INSERT_EVENT: PreparedStatement = {
  name: 'outbox.insert',
  text: 'INSERT INTO outbox_event (type, organisation, citizen, payload) VALUES ($1, $2, $3, $4)',
};

/**
 * The statement that queues a `product.changed` event for each row of
 * `from`, a relation with columns (change_id, organisation, citizen, product,
 * purpose, changed_at): the fan-out of a change runs in the database, one
 * statement per batch. Returns the queued rows' organisation, citizen,
 * product, purpose and change_id.
 */
export function queueProductChangedSql(from: string): string {
  return `INSERT INTO outbox_event (type, organisation, citizen, payload)
          SELECT 'product.changed', f.organisation, f.citizen,
                 jsonb_build_object('changeId', f.change_id, 'product', f.product, 'citizen', f.citizen,
                   'changedAt', to_char(f.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'purpose', f.purpose)
          FROM ${from} f
          RETURNING organisation, citizen, payload->>'product' AS product, payload->>'purpose' AS purpose,
                    (payload->>'changeId')::uuid AS change_id`;
}

/**
 * The one way into the transactional outbox: the event is written in the
 * caller's transaction, so it commits with the change it reports, or not at all.
 */
@Injectable()
export class OutboxWriter {
  async add(tx: SqlTransaction, event: OutboxEvent): Promise<void> {
    await tx.query(INSERT_EVENT, [event.type, event.organisation, event.citizen, JSON.stringify(event.payload)]);
  }
}
