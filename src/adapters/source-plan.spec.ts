import { join } from 'node:path';
import type { ProductContract } from '../contracts/catalogue';
import { loadContracts } from '../contracts/contract-loader';
import { ADAPTER_KINDS } from './adapter-kinds';
import { planSources, productKey, sourceFingerprint } from './source-plan';

const contracts = loadContracts(join(__dirname, '..', '..', 'schemas'), ADAPTER_KINDS).contracts;
const ENDPOINTS = {
  'dec-soap': 'http://127.0.0.1:9101',
  'rq-records': 'tcp://127.0.0.1:9102',
  'saaq-rest': 'http://127.0.0.1:9103',
  'ramq-sql': 'postgres://reader@127.0.0.1:9104/ramq_legacy',
};
const saaq = contracts.find((c) => c.product === 'saaq.adresse') as ProductContract;

/** The fingerprints in force after building every published contract. */
function inForce(list: readonly ProductContract[] = contracts): Map<string, string> {
  return new Map(list.map((c) => [productKey(c), sourceFingerprint(c, ENDPOINTS[c.source.endpoint as 'dec-soap'])]));
}

describe('planSources', () => {
  it('builds every source at boot', () => {
    const plan = planSources(new Map(), contracts, ENDPOINTS);
    expect(plan.build.map(productKey).sort()).toEqual(contracts.map(productKey).sort());
    expect(plan).toMatchObject({ keep: [], drop: [], missingEndpoints: [] });
  });

  it('keeps every source when nothing about them changed, a new mapping or new access rules included', () => {
    const remapped = contracts.map((c) =>
      c === saaq ? { ...c, access: {}, source: { ...c.source, mapping: { rue: 'street' } } } : c,
    );
    const plan = planSources(inForce(), remapped, ENDPOINTS);
    expect(plan.keep.sort()).toEqual(contracts.map(productKey).sort());
    expect(plan.build).toEqual([]);
  });

  it.each([
    ['settings', { settings: { path: '/v2/holders/{localId}' } }],
    ['deadline', { deadlineMs: 900 }],
    ['endpoint', { endpoint: 'dec-soap' }],
  ])('builds a new adapter when its %s changed', (_, change) => {
    const changed = contracts.map((c) => (c === saaq ? { ...c, source: { ...c.source, ...change } } : c));
    const plan = planSources(inForce(), changed, ENDPOINTS);
    expect(plan.build.map(productKey)).toEqual(['saaq.adresse@1']);
    expect(plan.keep).toHaveLength(contracts.length - 1);
  });

  it('builds a new adapter when the endpoint moved to another address', () => {
    const plan = planSources(inForce(), contracts, { ...ENDPOINTS, 'saaq-rest': 'http://10.0.0.7:9103' });
    expect(plan.build.map(productKey)).toEqual(['saaq.adresse@1']);
  });

  it('drops the sources of products no longer catalogued, and builds those of new ones', () => {
    const v2 = { ...saaq, version: 2 };
    const plan = planSources(inForce(), [...contracts.filter((c) => c !== saaq), v2], ENDPOINTS);
    expect(plan.drop).toEqual(['saaq.adresse@1']);
    expect(plan.build.map(productKey)).toEqual(['saaq.adresse@2']);
  });

  it('names every endpoint without an address, once', () => {
    const elsewhere = contracts.map((c) => ({ ...c, source: { ...c.source, endpoint: `${c.owner}-new` } }));
    const plan = planSources(
      inForce(),
      [...elsewhere, { ...saaq, version: 3, source: elsewhere[0].source }],
      ENDPOINTS,
    );
    expect(plan.missingEndpoints).toEqual(['dec-new', 'ramq-new', 'rq-new', 'saaq-new']);
  });

  it('does not take an inherited property for an endpoint address', () => {
    const odd = { ...saaq, source: { ...saaq.source, endpoint: 'constructor' } };
    expect(planSources(new Map(), [odd], ENDPOINTS).missingEndpoints).toEqual(['constructor']);
  });
});
