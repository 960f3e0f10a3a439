import type { Agent } from 'undici';
import { ProductSourceService } from '../src/adapters/product-source.service';
import type { DemoSources } from '../src/adapters/simulators/simulators';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { startGatewayWithOwnSources } from './support/own-sources';
import type { TestGateway } from './support/test-gateway';

const DEADLINE_MS = 400;
const BREAKER_FAILURES = 3;
const HALF_OPEN_MS = 500;
const ADDRESS = {
  product: 'saaq.adresse',
  version: 1,
  purpose: 'mess.aide-sociale',
  citizen: citizenIdOf('mess', 'demo-citizen-1'),
};
const NOTICE = {
  product: 'revenu.avis-cotisation',
  version: 1,
  purpose: 'afe.calcul-aide',
  citizen: citizenIdOf('afe', 'demo-citizen-1'),
};

/** The exchange over mutual TLS, as an agency sees it: a bad source, then a good one, bounded in time. */
describe('Resilience of the exchange: a slow source, a dead source', () => {
  let sources: DemoSources;
  let gateway: TestGateway;
  let mess: Agent;
  let afe: Agent;

  const exchange = (agent: Agent, body: object): Promise<AgencyResponse & { ms: number }> => {
    const started = Date.now();
    return call(agent, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((response) => ({ ...response, ms: Date.now() - started }));
  };
  const saaq = (): DemoSources['simulators']['saaq-rest'] => sources.simulators['saaq-rest'];
  const breaker = (): string | undefined => gateway.gateway.app.get(ProductSourceService).breakerStates()['saaq-rest'];

  beforeAll(async () => {
    ({ sources, gateway } = await startGatewayWithOwnSources({
      SOURCE_DEADLINE_MS: String(DEADLINE_MS),
      SOURCE_BREAKER_FAILURES: String(BREAKER_FAILURES),
      SOURCE_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    }));
    mess = agencyAgent(gateway.certsDir, 'mess');
    afe = agencyAgent(gateway.certsDir, 'afe');
    for (const terms of [
      { requester: 'mess', purpose: 'mess.aide-sociale', products: ['saaq.adresse'] },
      { requester: 'afe', purpose: 'afe.calcul-aide', products: ['revenu.avis-cotisation'] },
    ]) {
      expect((await grantConsent(gateway.publicUrl, 'demo-citizen-1', terms)).status).toBe(201);
    }
  });

  afterAll(async () => {
    await Promise.all([mess.close(), afe.close()]);
    await gateway.stop();
    await sources.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    saaq().faults.reset();
  });

  it('answers 504 within the deadline for a slow source, while another product stays fast', async () => {
    saaq().faults.set({ latencyMs: 5_000 });
    const [slow, other] = await Promise.all([exchange(mess, ADDRESS), exchange(afe, NOTICE)]);
    expect(slow.status).toBe(504);
    expect(slow.body).toMatchObject({ code: 'source-timeout' });
    expect(slow.ms).toBeLessThan(DEADLINE_MS * 3 + 1_000);
    expect(other.status).toBe(200);
    expect(other.ms).toBeLessThan(slow.ms);
    saaq().faults.reset();
    expect((await exchange(mess, ADDRESS)).status).toBe(200);
  });

  it('opens the breaker on a dead source: immediate 503 with Retry-After, no call; probed and recovered', async () => {
    saaq().faults.set({ resetRate: 1 });
    for (let i = 0; i < BREAKER_FAILURES; i++) {
      const failed = await exchange(mess, ADDRESS);
      expect(failed.status).toBeGreaterThanOrEqual(502);
    }
    expect(breaker()).toBe('open');

    const calls = jest.spyOn(saaq().faults, 'next');
    const open = await exchange(mess, ADDRESS);
    expect(open.status).toBe(503);
    expect(open.body).toMatchObject({ code: 'source-unavailable' });
    expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Immediate: no source call at all (the spy), so well under one deadline plus retries.
    expect(open.ms).toBeLessThan(1_000);
    expect(calls).not.toHaveBeenCalled();
    expect(open.text).not.toMatch(/ECONNRESET|socket|127\.0\.0\.1/);

    saaq().faults.reset();
    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_MS + 100));
    expect((await exchange(mess, ADDRESS)).status).toBe(200);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(breaker()).toBe('closed');
  });
});
