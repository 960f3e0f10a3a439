import { Injectable } from '@nestjs/common';
import type { PreparedStatement } from '../platform/database/sql';
import { Sql } from '../platform/database/sql';

const FIND_LOCAL_ID: PreparedStatement = {
  name: 'adapters.find-local-id',
  pipelined: true,
  text: 'SELECT local_id AS "localId" FROM citizen_link WHERE pivot_id = $1 AND source = $2',
  // The lookups of one turn: a primary-key probe for each, in one statement.
  together: {
    name: 'adapters.find-local-id-together',
    text: `SELECT q.i::int AS i, l.local_id AS "localId"
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(pivot_id, source, i)
           JOIN citizen_link l ON l.pivot_id = q.pivot_id AND l.source = q.source`,
  },
};

const IS_KNOWN: PreparedStatement = {
  name: 'adapters.is-known',
  pipelined: true,
  text: 'SELECT EXISTS (SELECT 1 FROM citizen_link WHERE pivot_id = $1) AS known',
};

/** The pivot id ↔ source-local id table. On the hot path: one primary-key probe. */
@Injectable()
export class CitizenLinkRepository {
  constructor(private readonly sql: Sql) {}

  async findLocalId(pivotId: string, source: string): Promise<string | undefined> {
    const rows = await this.sql.query<{ localId: string }>(FIND_LOCAL_ID, [pivotId, source]);
    return rows[0]?.localId;
  }

  /** Whether any source knows the citizen: a pivot id that an agency sent where it should not have. */
  async isKnown(pivotId: string): Promise<boolean> {
    const rows = await this.sql.query<{ known: boolean }>(IS_KNOWN, [pivotId]);
    return rows[0]?.known === true;
  }

  async link(pivotId: string, source: string, localId: string): Promise<void> {
    await this.sql.query(
      {
        name: 'adapters.link',
        text: `INSERT INTO citizen_link (pivot_id, source, local_id) VALUES ($1, $2, $3)
               ON CONFLICT (pivot_id, source) DO UPDATE SET local_id = EXCLUDED.local_id`,
      },
      [pivotId, source, localId],
    );
  }
}
