import type { ConsentRequest } from './consent-request.repository';
import { approvalTerms, parseApproval } from './approval';

const REQUEST: ConsentRequest = {
  id: '6f1c1a52-0b7e-4a43-9d43-2f1f7c1b8e10',
  requester: 'afe',
  citizen: 'demo-citizen-1',
  purpose: 'afe.calcul-aide',
  products: [{ product: 'revenu.avis-cotisation' }],
  validUntil: new Date('2026-09-01T00:00:00Z'),
  mode: 'ongoing',
  keepUpToDate: true,
  message: null,
  status: 'pending',
  createdAt: new Date('2026-03-01T00:00:00Z'),
  decidedAt: null,
  consentId: null,
};

describe('parseApproval', () => {
  it('takes no body, an empty object, or a boolean keepUpToDate', () => {
    expect(parseApproval(undefined)).toEqual({});
    expect(parseApproval({})).toEqual({});
    expect(parseApproval({ keepUpToDate: false })).toEqual({ keepUpToDate: false });
    expect(parseApproval({ keepUpToDate: true })).toEqual({ keepUpToDate: true });
  });

  it.each([
    ['a string', { keepUpToDate: 'yes' }, '/keepUpToDate'],
    ['another member', { keepUpToDate: true, mode: 'one-time' }, '/mode'],
  ])('refuses %s, naming it', (_what, body, pointer) => {
    expect(parseApproval(body)).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
  });

  it.each([null, [], 'true', true])('refuses a body that is not an object: %p', (body) => {
    expect(Array.isArray(parseApproval(body))).toBe(true);
  });
});

describe('approvalTerms', () => {
  it('keeps what the agency asked when the citizen chose nothing', () => {
    expect(approvalTerms(REQUEST, {})).toEqual({
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: [{ product: 'revenu.avis-cotisation' }],
      validUntil: '2026-09-01T00:00:00.000Z',
      mode: 'ongoing',
      keepUpToDate: true,
    });
    expect(approvalTerms({ ...REQUEST, keepUpToDate: false }, {}).keepUpToDate).toBe(false);
  });

  it('takes the citizen’s choice over the agency’s, either way', () => {
    expect(approvalTerms(REQUEST, { keepUpToDate: false }).keepUpToDate).toBe(false);
    expect(approvalTerms({ ...REQUEST, keepUpToDate: false }, { keepUpToDate: true }).keepUpToDate).toBe(true);
  });

  it('leaves the validity open when the agency named none', () => {
    expect(approvalTerms({ ...REQUEST, validUntil: null }, {}).validUntil).toBeUndefined();
  });
});
