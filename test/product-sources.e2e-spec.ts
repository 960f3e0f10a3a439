import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CitizenLinkRepository } from '../src/adapters/citizen-link.repository';
import { ProductSourceService } from '../src/adapters/product-source.service';
import type { DemoEndpoint, DemoSources } from '../src/adapters/simulators/simulators';
import type { FaultKnobs } from '../src/adapters/simulators/faults';
import type { ProductContract } from '../src/contracts/catalogue';
import { DomainError } from '../src/platform/errors/domain-error';
import { testEnv } from './setup/test-env';
import { startGatewayWithOwnSources } from './support/own-sources';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';

const DEADLINE_MS = 400;
const BREAKER_FAILURES = 3;
const HALF_OPEN_MS = 300;
const CORRELATION_ID = '0af7651916cd43dd8448eb211c80319c';

interface Case {
  product: string;
  endpoint: DemoEndpoint;
  expected: Record<string, unknown>;
  /** A field whose demo-citizen-1 value a tightened schema refuses, and demo-citizen-2's does not. */
  violate: string;
}

/** What each product gives for demo-citizen-1, after mapping and the schema. */
const CASES: Case[] = [
  {
    product: 'etat-civil.naissance',
    endpoint: 'dec-soap',
    expected: { lastName: 'Tremblay', firstNames: 'Émilie Rose', birthDate: '1999-03-14', sex: 'F' },
    violate: 'lastName',
  },
  {
    product: 'revenu.avis-cotisation',
    endpoint: 'rq-records',
    expected: { taxYear: 2025, assessmentDate: '2026-04-18', netIncome: 17900.5, balance: -423.17 },
    violate: 'netIncome',
  },
  {
    product: 'saaq.adresse',
    endpoint: 'saaq-rest',
    expected: { streetNumber: '1250', street: 'avenue des Érables', municipality: 'Québec', postalCode: 'G1R 2N7' },
    violate: 'postalCode',
  },
  {
    product: 'ramq.admissibilite',
    endpoint: 'ramq-sql',
    expected: { eligible: true, status: 'eligible', coverageStart: '1999-03-14' },
    violate: 'coverageStart',
  },
];

/** The DomainError code a fetch fails with, and its Retry-After if any. */
async function failure(fetching: Promise<unknown>): Promise<{ code: string; retryAfterSeconds?: number }> {
  const error: unknown = await fetching.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DomainError);
  const { code, options } = error as DomainError;
  return options.retryAfterSeconds === undefined ? { code } : { code, retryAfterSeconds: options.retryAfterSeconds };
}

describe.each(CASES)('$product through its adapter, against its simulator', ({ product, endpoint, expected }) => {
  let sources: DemoSources;
  let gateway: TestGateway;
  let service: ProductSourceService;
  let contract: ProductContract;

  const fetchFor = (pivotId = 'demo-citizen-1'): Promise<Record<string, unknown>> =>
    service.fetchProduct(contract, pivotId, CORRELATION_ID);
  const setFaults = (knobs: Partial<FaultKnobs>): void => sources.simulators[endpoint].faults.set(knobs);
  /** Calls that reached the simulator: each draws one fault. */
  const sourceCalls = (): jest.SpyInstance => jest.spyOn(sources.simulators[endpoint].faults, 'next');

  beforeAll(async () => {
    ({ sources, gateway } = await startGatewayWithOwnSources({
      SOURCE_DEADLINE_MS: String(DEADLINE_MS),
      SOURCE_BREAKER_FAILURES: String(BREAKER_FAILURES),
      SOURCE_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    }));
    service = gateway.gateway.app.get(ProductSourceService);
    const found = gateway.gateway.catalogue.find(product, 1);
    if (found === undefined) throw new Error(`${product} is not in the catalogue`);
    contract = found;
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    sources.simulators[endpoint].faults.reset();
    // Leave the breaker closed for the next test: the half-open probe succeeds once the source is healthy.
    await eventually(
      () =>
        fetchFor().then(
          () => true,
          () => false,
        ),
      `${endpoint} to answer again`,
      5_000,
    );
  });

  afterAll(async () => {
    await gateway.stop();
    await sources.close();
  });

  it('fetches, maps and validates the demo citizen’s record', async () => {
    const data = await fetchFor();
    expect(data).toMatchObject(expected);
    expect(contract.validate(data)).toBe(true);
  });

  it('answers source-record-not-found for a citizen with no link to the source', async () => {
    expect(await failure(fetchFor('citizen-with-no-link'))).toEqual({ code: 'source-record-not-found' });
  });

  it('answers source-record-not-found when the source holds no record for a linked citizen', async () => {
    await gateway.gateway.app.get(CitizenLinkRepository).link('citizen-unknown-at-source', contract.owner, 'X0000000');
    const calls = sourceCalls();
    expect(await failure(fetchFor('citizen-unknown-at-source'))).toEqual({ code: 'source-record-not-found' });
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('answers source-timeout when the source is slower than the deadline', async () => {
    setFaults({ latencyMs: DEADLINE_MS * 3 });
    expect((await failure(fetchFor())).code).toBe('source-timeout');
  });

  it('answers 502 source-error when the source sends garbage, and passes none of it on', async () => {
    setFaults({ garbageRate: 1 });
    const outcome = await failure(fetchFor());
    expect(outcome.code).toBe('source-error');
    const logged = gateway.rawLogs.filter((line) => line.includes('"source-failure"')).join('\n');
    expect(logged).toContain(endpoint);
    expect(logged).toContain(CORRELATION_ID);
    expect(logged).not.toContain('demo-citizen-1');
  });

  it('retries once after a reset connection, within the deadline', async () => {
    const calls = sourceCalls();
    setFaults({ resetRate: 1 });
    const outcome = await failure(fetchFor());
    expect(outcome.code).toBe('source-unavailable');
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('opens the breaker after consecutive failures, answers 503 with Retry-After without calling, then recovers', async () => {
    setFaults({ errorRate: 1 });
    for (let i = 0; i < BREAKER_FAILURES; i++) {
      expect((await failure(fetchFor())).code).toBe('source-error');
    }
    const calls = sourceCalls();
    const open = await failure(fetchFor());
    expect(open.code).toBe('source-unavailable');
    expect(open.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(calls).not.toHaveBeenCalled();

    sources.simulators[endpoint].faults.reset();
    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_MS + 50));
    await expect(fetchFor()).resolves.toMatchObject(expected);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(service.breakerStates()[endpoint]).toBe('closed');
  });
});

describe('source answers that break the product schema', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    // The same contracts, each schema refusing one of demo-citizen-1's values.
    const schemasDir = join(testEnv('root'), `schemas-${randomBytes(4).toString('hex')}`);
    cpSync(join(__dirname, '..', 'schemas'), schemasDir, { recursive: true });
    for (const { product, expected, violate } of CASES) {
      const schemaFile = join(schemasDir, 'products', product, 'v1', 'data.schema.json');
      const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as {
        properties: Record<string, Record<string, unknown>>;
      };
      schema.properties[violate] = { ...schema.properties[violate], not: { const: expected[violate] } };
      writeFileSync(schemaFile, JSON.stringify(schema));
    }
    gateway = await startTestGateway({ env: { SCHEMAS_DIR: schemasDir } });
  });

  afterAll(() => gateway.stop());

  it.each(CASES)('answers 502 source-contract-violation for $product and logs where, never what', async (c) => {
    const service = gateway.gateway.app.get(ProductSourceService);
    const contract = gateway.gateway.catalogue.find(c.product, 1) as ProductContract;
    await expect(service.fetchProduct(contract, 'demo-citizen-2', CORRELATION_ID)).resolves.toHaveProperty(c.violate);
    expect(await failure(service.fetchProduct(contract, 'demo-citizen-1', CORRELATION_ID))).toEqual({
      code: 'source-contract-violation',
    });
    const line = gateway.logs.findLast(
      (entry) => entry.event === 'source-contract-violation' && entry.product === c.product,
    );
    expect(line?.violations).toEqual([`/${c.violate} not`]);
    // Logged outside any request's logger: the line names the exchange itself.
    expect(line?.correlationId).toBe(CORRELATION_ID);
    expect(JSON.stringify(line)).not.toContain(JSON.stringify(c.expected[c.violate]));
  });
});

describe('a citizen with no record at rq', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(() => gateway.stop());

  it('answers source-record-not-found for demo-citizen-5, who is linked but has no notice of assessment', async () => {
    const service = gateway.gateway.app.get(ProductSourceService);
    const contract = gateway.gateway.catalogue.find('revenu.avis-cotisation', 1) as ProductContract;
    expect(await failure(service.fetchProduct(contract, 'demo-citizen-5', CORRELATION_ID))).toEqual({
      code: 'source-record-not-found',
    });
    await expect(service.fetchProduct(contract, 'demo-citizen-4', CORRELATION_ID)).resolves.toHaveProperty('taxYear');
  });
});
