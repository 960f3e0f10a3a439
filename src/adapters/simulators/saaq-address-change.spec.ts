import { SAAQ_RECORDS } from './demo-records';
import { applyAddressChange, isLoopbackAddress } from './saaq-address-change';

const CURRENT = SAAQ_RECORDS[1];
const CHANGE = {
  adresse: { numeroCivique: '55', rue: 'rue Principale' },
  municipalite: 'Laval',
  codePostal: 'H7N 1A1',
};

describe('applyAddressChange', () => {
  it('replaces the address, keeps the licence and province, and dates it from today', () => {
    expect(applyAddressChange(CURRENT, CHANGE, '2026-05-04')).toEqual({
      record: {
        numeroPermis: CURRENT.numeroPermis,
        adresse: { numeroCivique: '55', rue: 'rue Principale', appartement: null },
        municipalite: 'Laval',
        province: CURRENT.province,
        codePostal: 'H7N 1A1',
        depuis: '2026-05-04',
      },
    });
  });

  it('takes a unit, a province and a date when given', () => {
    const outcome = applyAddressChange(
      CURRENT,
      { ...CHANGE, adresse: { ...CHANGE.adresse, appartement: '3B' }, province: 'ON', depuis: '2026-04-30' },
      '2026-05-04',
    );
    expect(outcome).toMatchObject({
      record: { adresse: { appartement: '3B' }, province: 'ON', depuis: '2026-04-30' },
    });
  });

  it('does not change the record it was given', () => {
    const before = JSON.stringify(CURRENT);
    applyAddressChange(CURRENT, CHANGE, '2026-05-04');
    expect(JSON.stringify(CURRENT)).toBe(before);
  });

  it.each([
    ['not an object', [], 'the body must be a JSON object'],
    ['no adresse', { ...CHANGE, adresse: undefined }, 'adresse: must be an object'],
    [
      'a street number with letters first',
      { ...CHANGE, adresse: { ...CHANGE.adresse, numeroCivique: 'A12' } },
      'adresse.numeroCivique',
    ],
    ['an empty street', { ...CHANGE, adresse: { ...CHANGE.adresse, rue: ' ' } }, 'adresse.rue'],
    ['a long unit', { ...CHANGE, adresse: { ...CHANGE.adresse, appartement: '12345678901' } }, 'adresse.appartement'],
    ['no municipality', { ...CHANGE, municipalite: '' }, 'municipalite'],
    ['an unknown province', { ...CHANGE, province: 'XX' }, 'province'],
    ['a postal code without its space', { ...CHANGE, codePostal: 'H7N1A1' }, 'codePostal'],
    ['a date that does not exist', { ...CHANGE, depuis: '2026-02-30' }, 'depuis'],
  ])('refuses %s', (_, change, error) => {
    const outcome = applyAddressChange(CURRENT, change, '2026-05-04');
    expect('errors' in outcome && outcome.errors.some((message) => message.startsWith(error))).toBe(true);
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.5.6.7', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['fe80::1', false],
    ['127.example', false],
    [undefined, false],
  ])('%s: %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });
});
