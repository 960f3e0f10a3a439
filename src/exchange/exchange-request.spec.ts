import { DomainError } from '../platform/errors/domain-error';
import { parseExchangeRequest } from './exchange-request';

const valid = { product: 'saaq.adresse', version: 1, purpose: 'mess.aide-sociale', citizen: 'demo-citizen-1' };

function rejection(body: unknown): DomainError {
  try {
    parseExchangeRequest(body);
  } catch (error) {
    if (error instanceof DomainError) return error as DomainError;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('parseExchangeRequest', () => {
  it('accepts a complete request, with or without a case reference', () => {
    expect(parseExchangeRequest(valid)).toEqual(valid);
    expect(parseExchangeRequest({ ...valid, caseRef: 'D-2026-001' }).caseRef).toBe('D-2026-001');
  });

  it('names each missing field by JSON pointer', () => {
    const error = rejection({ product: 'saaq.adresse' });
    expect(error.code).toBe('invalid-request');
    expect(error.options.extensions?.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/version' }),
        expect.objectContaining({ pointer: '/purpose' }),
        expect.objectContaining({ pointer: '/citizen' }),
      ]),
    );
  });

  it('refuses unknown members, such as an attempt to assert the requester', () => {
    const error = rejection({ ...valid, requester: 'afe' });
    expect(error.options.extensions?.errors).toEqual([expect.objectContaining({ pointer: '/requester' })]);
  });

  it('never echoes the rejected values', () => {
    const error = rejection({ ...valid, citizen: 'not a valid id <script>' });
    expect(JSON.stringify(error.options.extensions)).not.toContain('<script>');
  });

  it('refuses a non-integer version', () => {
    expect(rejection({ ...valid, version: 1.5 }).code).toBe('invalid-request');
  });
});
