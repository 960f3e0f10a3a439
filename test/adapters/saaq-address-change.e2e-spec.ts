import { request } from 'undici';
import { RestAdapter } from '../../src/adapters/rest/rest.adapter';
import { startSaaqRestSimulator } from '../../src/adapters/rest/saaq-rest-simulator';
import { SAAQ_RECORDS } from '../../src/adapters/simulators/demo-records';
import type { RunningSimulator } from '../../src/adapters/simulators/running-simulator';
import { DEFAULT_SOURCE_LIMITS } from '../../src/adapters/source-adapter';
import { fetchContext as context } from '../support/source-fetch';

const SETTINGS = { path: '/v1/permis/{localId}/adresse' };
const LICENCE = 'G2541-021162-07';
const CHANGE = {
  adresse: { numeroCivique: '55', rue: 'rue Principale', appartement: '3' },
  municipalite: 'Laval',
  codePostal: 'H7N 1A1',
};
const TODAY = () => new Date().toISOString().slice(0, 10);

async function put(
  simulator: RunningSimulator,
  licence: string,
  body: string,
): Promise<{ status: number; body: unknown }> {
  const response = await request(`${simulator.url}/v1/permis/${encodeURIComponent(licence)}/adresse`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text) };
}

describe('changing an address in the SAAQ REST simulator', () => {
  let simulator: RunningSimulator;
  let adapter: RestAdapter;

  beforeEach(async () => {
    simulator = await startSaaqRestSimulator();
    adapter = new RestAdapter(SETTINGS, simulator.url, DEFAULT_SOURCE_LIMITS);
  });

  afterEach(async () => {
    await adapter.close();
    await simulator.close();
  });

  it('changes the record on file, dated today, and the REST adapter reads the new address back', async () => {
    const before = SAAQ_RECORDS.find((record) => record.numeroPermis === LICENCE);
    await expect(adapter.fetch(LICENCE, context())).resolves.toEqual(before);
    const expected = { ...before, ...CHANGE, depuis: TODAY() };

    const answer = await put(simulator, LICENCE, JSON.stringify(CHANGE));
    expect(answer).toEqual({ status: 200, body: expected });
    await expect(adapter.fetch(LICENCE, context())).resolves.toEqual(expected);
    // The other licences are as they were.
    await expect(adapter.fetch(SAAQ_RECORDS[0].numeroPermis, context())).resolves.toEqual(SAAQ_RECORDS[0]);
  });

  it('keeps changes in the simulator that took them: another starts from the demo records', async () => {
    await put(simulator, LICENCE, JSON.stringify(CHANGE));
    const other = await startSaaqRestSimulator();
    const otherAdapter = new RestAdapter(SETTINGS, other.url, DEFAULT_SOURCE_LIMITS);
    try {
      await expect(otherAdapter.fetch(LICENCE, context())).resolves.toMatchObject({ municipalite: 'Montréal' });
    } finally {
      await otherAdapter.close();
      await other.close();
    }
  });

  it('draws no fault for a change, even when every read fails', async () => {
    simulator.faults.set({ errorRate: 1 });
    const answer = await put(simulator, LICENCE, JSON.stringify(CHANGE));
    expect(answer.status).toBe(200);
    await expect(adapter.fetch(LICENCE, context())).rejects.toMatchObject({
      failure: 'bad-response',
      reason: 'HTTP 500',
    });
  });

  it.each([
    ['an unknown licence', 'Z9999-010100-01', JSON.stringify(CHANGE), 404],
    ['a body that is not JSON', LICENCE, '{"adresse":', 400],
    ['an invalid postal code', LICENCE, JSON.stringify({ ...CHANGE, codePostal: 'H7N1A1' }), 400],
    ['a body over 16 KiB', LICENCE, JSON.stringify({ ...CHANGE, padding: 'x'.repeat(17 * 1024) }), 413],
  ])('refuses %s, changing nothing', async (_, licence, body, status) => {
    const answer = await put(simulator, licence, body);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ status });
    await expect(adapter.fetch(LICENCE, context())).resolves.toMatchObject({ municipalite: 'Montréal' });
  });

  it('names what is wrong with an invalid change', async () => {
    const answer = await put(simulator, LICENCE, JSON.stringify({ ...CHANGE, codePostal: 'H7N1A1' }));
    expect((answer.body as { errors?: string[] }).errors).toEqual(['codePostal: like "H2X 1Y4"']);
  });

  it('refuses a change from a peer it does not allow (only this host, by default)', async () => {
    const guarded = await startSaaqRestSimulator({ changesFrom: () => false });
    try {
      const answer = await put(guarded, LICENCE, JSON.stringify(CHANGE));
      expect(answer.status).toBe(403);
      const read = await request(`${guarded.url}/v1/permis/${LICENCE}/adresse`);
      expect(await read.body.json()).toMatchObject({ municipalite: 'Montréal' });
    } finally {
      await guarded.close();
    }
  });
});
