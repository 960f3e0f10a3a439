/**
 * A source database cannot exhaust the gateway's memory: a 64 MiB row and a
 * query that yields 600k rows are refused (502 source-error) while the
 * gateway's heap stays nearly flat, because the server is made to send at
 * most one row, and only when it is within SOURCE_MAX_RESPONSE_BYTES.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Agent } from 'undici';
import { CitizenLinkRepository } from '../src/adapters/citizen-link.repository';
import { ProductSourceService } from '../src/adapters/product-source.service';
import type { RunningSimulator } from '../src/adapters/simulators/running-simulator';
import { ensureRamqLegacyDatabase } from '../src/adapters/sql/ramq-legacy-database';
import { startRamqSqlSimulator } from '../src/adapters/sql/ramq-sql-simulator';
import type { ProductContract } from '../src/contracts/catalogue';
import { DomainError } from '../src/platform/errors/domain-error';
import { testEnv, withDatabase } from './setup/test-env';
import { agencyAgent, call } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { CORRELATION_ID } from './support/source-fetch';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const PRODUCT = 'ramq.admissibilite';
const MIB = 1024 * 1024;
const HUGE_ROW_ID = 'BIGR00000001';
const MANY_ROWS_ID = 'MANY00000001';
const MANY_ROWS = 600_000;
/** The gateway's heap (and the buffers it holds) may grow by this much during one fetch, no more. */
const GROWTH_BOUND = 32 * MIB;

/** The source table: the demo's rows, one 64 MiB row, and 600k rows for one local id (no primary key). */
async function fillSource(adminUrl: string, database: string, reader: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(adminUrl, database) });
  await client.connect();
  try {
    await client.query(`CREATE TABLE ramq_admissibilite.dossier (
      no_assurance_maladie char(12) NOT NULL,
      cd_statut char(1) NOT NULL,
      dt_debut_couverture date NOT NULL,
      dt_fin_couverture date,
      dt_expiration_carte date NOT NULL,
      remarque text
    )`);
    await client.query('CREATE INDEX ON ramq_admissibilite.dossier (no_assurance_maladie)');
    await client.query(`INSERT INTO ramq_admissibilite.dossier
      SELECT no_assurance_maladie, cd_statut, dt_debut_couverture, dt_fin_couverture, dt_expiration_carte, NULL
      FROM ramq_admissibilite.admissibilite`);
    // Random hex, so the row is 64 MiB on the wire whatever TOAST compression does on disk.
    await client.query(
      `INSERT INTO ramq_admissibilite.dossier VALUES ($1, 'A', '2000-01-01', NULL, '2030-01-01',
        (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, $2::int)))`,
      [HUGE_ROW_ID, (64 * MIB) / 32],
    );
    await client.query(
      `INSERT INTO ramq_admissibilite.dossier
       SELECT $1, 'A', '2000-01-01', NULL, '2030-01-01', 'ligne ' || g FROM generate_series(1, $2::int) g`,
      [MANY_ROWS_ID, MANY_ROWS],
    );
    await client.query(`GRANT SELECT ON ramq_admissibilite.dossier TO "${reader}"`);
  } finally {
    await client.end();
  }
}

/** The largest growth of heap plus array buffers seen while `work` runs, sampled every few milliseconds. */
async function peakGrowth(work: () => Promise<unknown>): Promise<{ growth: number; outcome: unknown }> {
  const used = (): number => {
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const before = used();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, used())), 5);
  try {
    const outcome = await work().then(
      () => 'resolved',
      (error: unknown) => error,
    );
    peak = Math.max(peak, used());
    return { growth: peak - before, outcome };
  } finally {
    clearInterval(sampler);
  }
}

describe('an SQL source that answers too much', () => {
  let simulator: RunningSimulator;
  let t: TestGateway;
  let service: ProductSourceService;
  let contract: ProductContract;
  let retraite: Agent;

  beforeAll(async () => {
    const adminUrl = testEnv('adminUrl');
    const database = `${testEnv('databasePrefix')}sqllimits_${randomBytes(4).toString('hex')}`;
    const readerUrl = await ensureRamqLegacyDatabase(adminUrl, database);
    await fillSource(adminUrl, database, decodeURIComponent(new URL(readerUrl).username));
    simulator = await startRamqSqlSimulator({ databaseUrl: readerUrl });

    // The demo contract, reading the table above, with the large column among its columns.
    const schemasDir = join(testEnv('root'), `schemas-${randomBytes(4).toString('hex')}`);
    cpSync(join(__dirname, '..', 'schemas'), schemasDir, { recursive: true });
    const contractFile = join(schemasDir, 'products', PRODUCT, 'v1', 'contract.json');
    const json = JSON.parse(readFileSync(contractFile, 'utf8')) as { source: { settings: { query: string } } };
    json.source.settings.query = json.source.settings.query
      .replace('FROM ramq_admissibilite.admissibilite', 'FROM ramq_admissibilite.dossier')
      .replace(' FROM ', ', remarque FROM ');
    writeFileSync(contractFile, JSON.stringify(json));

    const endpoints = testEnv('sourceEndpoints')
      .split(',')
      .filter((entry) => !entry.startsWith('ramq-sql='));
    t = await startTestGateway({
      env: {
        SCHEMAS_DIR: schemasDir,
        SOURCE_ENDPOINTS: [...endpoints, `ramq-sql=${simulator.url}`].join(','),
        // Every refusal below must reach the source; an open breaker would answer for it.
        SOURCE_BREAKER_FAILURES: '1000',
      },
    });
    service = t.gateway.app.get(ProductSourceService);
    contract = t.gateway.catalogue.find(PRODUCT, 1) as ProductContract;
    const links = t.gateway.app.get(CitizenLinkRepository);
    await links.link('demo-citizen-3', contract.owner, HUGE_ROW_ID);
    await links.link('demo-citizen-4', contract.owner, MANY_ROWS_ID);
    retraite = agencyAgent(t.certsDir, 'retraite-qc');
    // Warm up: the first fetch prepares its statements.
    await expect(service.fetchProduct(contract, 'demo-citizen-1', CORRELATION_ID)).resolves.toMatchObject({
      eligible: true,
      coverageStart: '1999-03-14',
    });
  });

  afterAll(async () => {
    await retraite.close();
    await t.stop();
    await simulator.close();
  });

  it.each([
    ['a 64 MiB row', 'demo-citizen-3', 'row too large'],
    [`${MANY_ROWS} rows for one local id`, 'demo-citizen-4', 'more than one row for one local id'],
  ])('refuses %s as source-error, without the heap growing past the bound', async (_case, citizen, reason) => {
    const { growth, outcome } = await peakGrowth(() => service.fetchProduct(contract, citizen, CORRELATION_ID));
    expect(outcome).toBeInstanceOf(DomainError);
    expect((outcome as DomainError).code).toBe('source-error');
    expect(t.logs.findLast((line) => line.event === 'source-failure')?.reason).toBe(reason);
    expect(growth).toBeLessThan(GROWTH_BOUND);
  });

  it('answers the agency 502 source-error for the 64 MiB row, with none of it in the body', async () => {
    const granted = await grantConsent(t.publicUrl, 'demo-citizen-3', {
      requester: 'retraite-qc',
      purpose: 'retraite-qc.rente',
      products: [PRODUCT],
    });
    expect(granted.status).toBe(201);
    const { growth, outcome } = await peakGrowth(() =>
      call(retraite, `${t.agencyUrl}/v1/exchanges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          product: PRODUCT,
          version: 1,
          purpose: 'retraite-qc.rente',
          citizen: citizenIdOf('retraite-qc', 'demo-citizen-3'),
        }),
      }).then((response) => {
        expect(response.status).toBe(502);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.body).toMatchObject({ code: 'source-error' });
        expect(response.text.length).toBeLessThan(2_000);
      }),
    );
    expect(outcome).toBe('resolved');
    expect(growth).toBeLessThan(GROWTH_BOUND);
  });

  it('still serves a citizen whose record is within the limits', async () => {
    await expect(service.fetchProduct(contract, 'demo-citizen-2', CORRELATION_ID)).resolves.toHaveProperty('status');
  });
});
