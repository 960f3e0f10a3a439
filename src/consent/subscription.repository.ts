import { Injectable } from '@nestjs/common';
import { Sql, type PreparedStatement } from '../platform/database/sql';

/** An organisation's standing request to hear of changes to a product, for one purpose. */
export interface Subscription {
  organisation: string;
  product: string;
  purpose: string;
  createdAt: Date;
}

interface SubscriptionRow {
  organisation: string;
  product: string;
  purpose: string;
  created_at: Date;
  created: boolean;
}

const COLUMNS = 'organisation, product, purpose, created_at';

const PUT: PreparedStatement = {
  name: 'subscription.put',
  // The existing row, when the insert did nothing. It is read in the statement's snapshot: a row another
  // transaction committed while this one waited on the conflict is not in it (put then reads again).
  text: `WITH inserted AS (
           INSERT INTO subscription (organisation, product, purpose) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING
           RETURNING ${COLUMNS}
         )
         SELECT ${COLUMNS}, true AS created FROM inserted
         UNION ALL
         SELECT ${COLUMNS}, false AS created FROM subscription
         WHERE organisation = $1 AND product = $2 AND purpose = $3 AND NOT EXISTS (SELECT 1 FROM inserted)`,
};
const LIST: PreparedStatement = {
  name: 'subscription.list',
  text: `SELECT ${COLUMNS}, false AS created FROM subscription WHERE organisation = $1 ORDER BY product, purpose`,
};
const DELETE: PreparedStatement = {
  name: 'subscription.delete',
  text: 'DELETE FROM subscription WHERE organisation = $1 AND product = $2 AND purpose = $3 RETURNING product',
};

function subscriptionOf(row: SubscriptionRow): Subscription {
  return { organisation: row.organisation, product: row.product, purpose: row.purpose, createdAt: row.created_at };
}

/** The agencies' subscriptions to changes. Prepared statements only. */
@Injectable()
export class SubscriptionRepository {
  constructor(private readonly sql: Sql) {}

  /** Records the subscription unless it exists: the row either way, and whether this call created it. */
  async put(
    organisation: string,
    product: string,
    purpose: string,
  ): Promise<{ subscription: Subscription; created: boolean }> {
    // A second attempt sees the row a concurrent put committed after this statement's snapshot was taken.
    for (let attempt = 0; attempt < 2; attempt++) {
      const [row] = await this.sql.query<SubscriptionRow>(PUT, [organisation, product, purpose]);
      if (row !== undefined) return { subscription: subscriptionOf(row), created: row.created };
    }
    throw new Error('subscription neither inserted nor found');
  }

  /** The organisation's subscriptions, by product then purpose. */
  async list(organisation: string): Promise<Subscription[]> {
    return (await this.sql.query<SubscriptionRow>(LIST, [organisation])).map(subscriptionOf);
  }

  /** Removes the subscription: whether there was one. */
  async delete(organisation: string, product: string, purpose: string): Promise<boolean> {
    return (await this.sql.query(DELETE, [organisation, product, purpose])).length > 0;
  }
}
