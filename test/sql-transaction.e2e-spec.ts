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

describe('SqlPool.query, pipelined statements', () => {
  let pool: Pool;
  let sql: SqlPool;
  let writes = 0;

  const PID = { name: 'test.pid', text: 'SELECT pg_backend_pid() AS pid, $1::int AS n', pipelined: true };
  const BROKEN = { name: 'test.pipelined-broken', text: 'SELECT 1 / $1::int AS n', pipelined: true };

  beforeAll(async () => {
    pool = new Pool({ connectionString: ownerUrlOf(await createTestDatabase()), max: 3 });
    // Counts the writes on every connection's socket: a round trip that carries several statements is one.
    pool.on('connect', (client) => {
      const socket = (client as unknown as { connection: { stream: NodeJS.WritableStream } }).connection.stream;
      for (const method of ['_write', '_writev'] as const) {
        const target = socket as unknown as Record<string, (...args: unknown[]) => unknown>;
        const original = target[method];
        if (typeof original !== 'function') continue;
        target[method] = function (this: unknown, ...args: unknown[]) {
          writes += 1;
          return original.apply(this, args);
        };
      }
    });
    sql = new SqlPool(pool);
    // Every connection opened and its statements prepared, so what follows counts only the statements' writes.
    await Promise.all([1, 2, 3].map((n) => sql.query(PID, [n])));
  });

  afterAll(() => pool.end());

  it('sends the statements of one turn on one connection, in one write, each with its own answer', async () => {
    writes = 0;
    const rows = await Promise.all(
      [1, 2, 3, 4, 5].map(async (n) => (await sql.query<{ pid: number; n: number }>(PID, [n]))[0]),
    );
    expect(rows.map((row) => row.n)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(rows.map((row) => row.pid)).size).toBe(1);
    expect(writes).toBe(1);
  });

  it('sends the reads of one turn that have a together form as one statement, each answered with its own rows', async () => {
    const SQUARE = {
      name: 'test.square',
      pipelined: true,
      text: 'SELECT $1::int * $1::int AS sq, 1 AS together WHERE $1::int <> 0',
      // `together` counts the rows of the statement that answered: the sets sent with this one, less the zeros.
      together: {
        name: 'test.square-together',
        text: `SELECT q.i::int AS i, q.n * q.n AS sq, count(*) OVER ()::int AS together
               FROM unnest($1::int[]) WITH ORDINALITY AS q(n, i) WHERE q.n <> 0`,
      },
    };
    await sql.query(SQUARE, [1]);
    writes = 0;
    const answers = await Promise.all([1, 2, 0, 3].map((n) => sql.query(SQUARE, [n])));
    expect(answers).toEqual([[{ sq: 1, together: 3 }], [{ sq: 4, together: 3 }], [], [{ sq: 9, together: 3 }]]);
    expect(writes).toBe(1);
    // Alone, the read goes as itself.
    expect(await sql.query(SQUARE, [5])).toEqual([{ sq: 25, together: 1 }]);
  });

  it('fails a failing statement alone: the others of its round trip answer', async () => {
    const answers = await Promise.allSettled([sql.query(PID, [1]), sql.query(BROKEN, [0]), sql.query(PID, [3])]);
    expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((answers[1] as PromiseRejectedResult).reason)).toMatch(/division by zero/);
    expect((await sql.query<{ n: number }>(BROKEN, [1]))[0].n).toBe(1);
  });

  it('sends BEGIN in the first statement’s write: a transaction of one statement takes two writes', async () => {
    writes = 0;
    const answer = await sql.transaction(async (tx) => (await tx.query<{ n: number }>(PID, [7]))[0].n);
    expect(answer).toBe(7);
    expect(writes).toBe(2);
  });

  it('gives the connection back to the pool out of pipeline mode', async () => {
    await sql.query(PID, [1]);
    const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    for (const client of clients) {
      expect((client as unknown as { pipeline: boolean }).pipeline).toBe(false);
      client.release();
    }
  });
});
