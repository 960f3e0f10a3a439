import type { Agent } from 'undici';
import { ProductSourceService } from '../src/adapters/product-source.service';
import type { DemoSources } from '../src/adapters/simulators/simulators';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { startGatewayWithOwnSources } from './support/own-sources';
import { eventually, settles, type TestGateway } from './support/test-gateway';

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

/**
 * The exchange over mutual TLS, as an agency sees it: a bad source, then a good one. No assertion reads a clock:
 * the simulator holds requests (its faults' hold) until the test lets them go, so "without waiting for the source"
 * is shown by an answer that arrives while the source still holds the request, however busy the machine.
 */
describe('Resilience of the exchange: a slow source, a dead source', () => {
  let sources: DemoSources;
  let gateway: TestGateway;
  let mess: Agent;
  let afe: Agent;

  const exchange = (agent: Agent, body: object): Promise<AgencyResponse> =>
    call(agent, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
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

  it('answers 504 at its deadline while a slow source still holds the request, and serves another product meanwhile', async () => {
    // The SAAQ source takes the request and answers nothing until released, after both answers below: the 504 can
    // only come from the gateway's own deadline, and the other product's 200 came while that source was stuck.
    saaq().faults.hold();
    const slow = exchange(mess, ADDRESS);
    await eventually(() => saaq().faults.held > 0, 'the slow source to hold the request', 30_000);
    const other = await settles(exchange(afe, NOTICE), 'the other product while the SAAQ source is stuck');
    expect(other.status).toBe(200);
    const timedOut = await settles(slow, 'the 504 while the SAAQ source still holds the request');
    expect(timedOut.status).toBe(504);
    expect(timedOut.body).toMatchObject({ code: 'source-timeout' });
    // Not answered yet: nothing from the source can have ended either exchange.
    expect(saaq().faults.held).toBeGreaterThan(0);

    saaq().faults.release();
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
    // Immediate: no source call at all. The spy shows none was made, and with the source held a call would have
    // ended in the deadline's 504, not this 503.
    saaq().faults.hold();
    const open = await settles(exchange(mess, ADDRESS), 'the open breaker to answer without the source');
    expect(open.status).toBe(503);
    expect(open.body).toMatchObject({ code: 'source-unavailable' });
    expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(calls).not.toHaveBeenCalled();
    expect(saaq().faults.held).toBe(0);
    expect(open.text).not.toMatch(/ECONNRESET|socket|127\.0\.0\.1/);

    saaq().faults.reset();
    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_MS + 100));
    expect((await exchange(mess, ADDRESS)).status).toBe(200);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(breaker()).toBe('closed');
  });
});
