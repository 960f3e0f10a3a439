/**
 * The hot path's transactions on a real PostgreSQL: BEGIN travels with the
 * first statement (pipelined), and everything a transaction promises holds.
 */
import { Client, Pool } from 'pg';
import { SqlPool } from '../src/platform/database/sql';
import { ownerUrlOf } from './setup/test-env';
import { createTestDatabase } from './support/test-gateway';

const XACT = { name: 'test.xact', text: 'SELECT pg_current_xact_id()::text AS xact' };
const TAKE = { name: 'test.take', text: "SELECT pg_advisory_xact_lock(42) IS NULL AS taken, 'x'::text AS note" };

describe('SqlPool.transaction', () => {
  let pool: Pool;
  let sql: SqlPool;
  let url: string;

  beforeAll(async () => {
    // The owner's login: the probe table is made here.
    url = ownerUrlOf(await createTestDatabase());
    pool = new Pool({ connectionString: url, max: 2 });
    sql = new SqlPool(pool);
  });

  afterAll(() => pool.end());

  it('runs the first statement inside the transaction that BEGIN opened with it', async () => {
    const ids = await sql.transaction(async (tx) => [
      (await tx.query<{ xact: string }>(XACT, []))[0].xact,
      (await tx.query<{ xact: string }>(XACT, []))[0].xact,
    ]);
    expect(ids[0]).toMatch(/^\d+$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it('holds a transaction lock taken by the first statement until it commits', async () => {
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      let tried: boolean | undefined;
      await sql.transaction(async (tx) => {
        await tx.query(TAKE, []);
        tried = (await other.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock(42) AS got')).rows[0].got;
      });
      expect(tried).toBe(false);
      expect((await other.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock(42) AS got')).rows[0].got).toBe(
        true,
      );
    } finally {
      await other.end();
    }
  });

  it('rolls back what the first statement did when the work throws, and the connection serves the pool again', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS sql_tx_probe (n int)');
    await expect(
      sql.transaction(async (tx) => {
        await tx.exec('INSERT INTO sql_tx_probe VALUES (1)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sql_tx_probe')).rows[0].n).toBe(0);
    // Both connections, used one after the other outside any transaction, answer in order.
    const answers = await Promise.all(
      [1, 2, 3, 4].map(async (n) => (await pool.query<{ n: number }>(`SELECT ${n} AS n`)).rows[0]),
    );
    expect(answers).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    // And out of pipeline mode, as TypeORM, which shares the pool, expects its connections.
    const clients = [await pool.connect(), await pool.connect()];
    for (const client of clients) {
      expect((client as unknown as { pipeline: boolean }).pipeline).toBe(false);
      client.release();
    }
  });

  it('reports a failing first statement, and commits nothing', async () => {
    await expect(
      sql.transaction(async (tx) => {
        await tx.query({ name: 'test.broken', text: 'SELECT 1 / 0 AS n' }, []);
      }),
    ).rejects.toThrow(/division by zero/);
    const fine = await sql.transaction(async (tx) => (await tx.query<{ xact: string }>(XACT, []))[0].xact);
    expect(fine).toMatch(/^\d+$/);
  });

  it('commits a transaction that made no statement', async () => {
    await expect(sql.transaction(() => Promise.resolve('nothing'))).resolves.toBe('nothing');
  });
});
