import { minimise } from '../exchange/exchange-decision';
import { planPreview, wouldReceive, type ContractLookup, type PreviewRequest } from './preview-plan';

interface FakeContract {
  product: string;
  access: Record<string, Record<string, string[]>>;
}

const NOTICE: FakeContract = {
  product: 'revenu.avis-cotisation',
  access: { afe: { 'afe.calcul-aide': ['taxYear', 'assessmentDate', 'totalIncome', 'netIncome', 'lines'] } },
};
const BIRTH: FakeContract = {
  product: 'etat-civil.naissance',
  access: { 'retraite-qc': { 'retraite-qc.rente': ['lastName', 'birthDate'] } },
};
const CONTRACTS: ContractLookup<FakeContract> = {
  latest: (product) => [NOTICE, BIRTH].find((c) => c.product === product),
  allowedFields: (contract, requester, purpose) => contract.access[requester]?.[purpose],
};
/** Everything the source holds, some of it no purpose may have. */
const SOURCE = {
  taxYear: 2025,
  assessmentDate: '2026-04-18',
  totalIncome: 18400,
  netIncome: 17900.5,
  taxableIncome: 17000,
  balance: -423.17,
  lines: [],
};

const request = (products: PreviewRequest['products']): PreviewRequest => ({
  requester: 'afe',
  purpose: 'afe.calcul-aide',
  products,
});

describe('planPreview and wouldReceive: what the requester would receive', () => {
  it('sends every field the contract allows the purpose when the request does not narrow, and nothing else', () => {
    const [item] = planPreview(request([{ product: 'revenu.avis-cotisation' }]), CONTRACTS);
    expect(item).toEqual({
      product: 'revenu.avis-cotisation',
      send: true,
      contract: NOTICE,
      allowed: NOTICE.access.afe['afe.calcul-aide'],
      narrowed: undefined,
    });
    if (!item.send) throw new Error('planned to send nothing');
    expect(Object.keys(wouldReceive(SOURCE, item))).toEqual([
      'taxYear',
      'assessmentDate',
      'totalIncome',
      'netIncome',
      'lines',
    ]);
    expect(wouldReceive(SOURCE, item)).not.toHaveProperty('balance');
  });

  it('cuts to the request’s narrowing, as the consent it becomes will', () => {
    const [item] = planPreview(
      request([{ product: 'revenu.avis-cotisation', fields: ['netIncome', 'taxYear'] }]),
      CONTRACTS,
    );
    if (!item.send) throw new Error('planned to send nothing');
    expect(wouldReceive(SOURCE, item)).toEqual({ taxYear: 2025, netIncome: 17900.5 });
  });

  it('never sends a narrowed field the contract no longer allows', () => {
    const [item] = planPreview(
      request([{ product: 'revenu.avis-cotisation', fields: ['netIncome', 'balance'] }]),
      CONTRACTS,
    );
    if (!item.send) throw new Error('planned to send nothing');
    expect(wouldReceive(SOURCE, item)).toEqual({ netIncome: 17900.5 });
  });

  it('leaves out an allowed field the source does not have', () => {
    const [item] = planPreview(request([{ product: 'revenu.avis-cotisation' }]), CONTRACTS);
    if (!item.send) throw new Error('planned to send nothing');
    const { lines: _lines, ...withoutLines } = SOURCE;
    expect(wouldReceive(withoutLines, item)).not.toHaveProperty('lines');
  });

  it('cuts exactly as the exchange’s minimise does with the same lists', () => {
    const [item] = planPreview(
      request([{ product: 'revenu.avis-cotisation', fields: ['lines', 'taxYear'] }]),
      CONTRACTS,
    );
    if (!item.send) throw new Error('planned to send nothing');
    expect(wouldReceive(SOURCE, item)).toEqual(
      minimise(SOURCE, NOTICE.access.afe['afe.calcul-aide'], ['lines', 'taxYear']),
    );
  });

  it('sends nothing of a product no longer catalogued, or no longer granted to the requester for the purpose', () => {
    const plan = planPreview(
      request([
        { product: 'retired.product' },
        { product: 'etat-civil.naissance' },
        { product: 'revenu.avis-cotisation' },
      ]),
      CONTRACTS,
    );
    expect(plan.map((item) => [item.product, item.send, item.send ? undefined : item.reason])).toEqual([
      ['retired.product', false, 'unknown-product'],
      ['etat-civil.naissance', false, 'not-granted'],
      ['revenu.avis-cotisation', true, undefined],
    ]);
  });

  it('does not keep a reference to the request’s narrowing', () => {
    const fields = ['netIncome'];
    const [item] = planPreview(request([{ product: 'revenu.avis-cotisation', fields }]), CONTRACTS);
    fields.push('taxYear');
    if (!item.send) throw new Error('planned to send nothing');
    expect(item.narrowed).toEqual(['netIncome']);
  });
});
