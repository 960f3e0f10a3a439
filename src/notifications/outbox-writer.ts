import { Injectable } from '@nestjs/common';
import type { PreparedStatement, SqlTransaction } from '../platform/database/sql';
import type { OutboxEvent } from './outbox-events';

const INSERT_EVENT: PreparedStatement = {
  name: 'outbox.insert',
  text: 'INSERT INTO outbox_event (type, organisation, citizen, payload) VALUES ($1, $2, $3, $4)',
};

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
