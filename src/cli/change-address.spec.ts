import { loadConfig } from '../platform/config/config';
import { addressChangeOf, endpointUrlOf, normalisePostalCode, parseStreet } from './change-address';
import { UsageError } from './usage';

describe('parseStreet', () => {
  it.each([
    ['55 rue Principale', { numeroCivique: '55', rue: 'rue Principale' }],
    ['  1250, avenue des Érables ', { numeroCivique: '1250', rue: 'avenue des Érables' }],
    ['12b boulevard René-Lévesque Est', { numeroCivique: '12B', rue: 'boulevard René-Lévesque Est' }],
  ])('reads %j', (street, expected) => {
    expect(parseStreet(street)).toEqual(expected);
  });

  it.each([
    ['no civic number', 'rue Principale'],
    ['no street', '55'],
    ['a civic number of seven digits', '1234567 rue Longue'],
    ['a street of 121 characters', `55 ${'x'.repeat(121)}`],
  ])('refuses %s', (_, street) => {
    expect(() => parseStreet(street)).toThrow(UsageError);
  });
});

describe('normalisePostalCode', () => {
  it.each([
    ['H7N 1A1', 'H7N 1A1'],
    ['h7n1a1', 'H7N 1A1'],
    ['H7N-1A1', 'H7N 1A1'],
  ])('writes %j as %j', (value, expected) => {
    expect(normalisePostalCode(value)).toBe(expected);
  });

  it.each(['H7N 1A', '12345', 'HHH 111'])('finds no postal code in %j', (value) => {
    expect(normalisePostalCode(value)).toBeUndefined();
  });
});

describe('addressChangeOf', () => {
  const values = { street: '55 rue Principale', city: ' Laval ', 'postal-code': 'h7n 1a1' };

  it('makes the change the SAAQ simulator takes', () => {
    expect(addressChangeOf(values)).toEqual({
      adresse: { numeroCivique: '55', rue: 'rue Principale', appartement: null },
      municipalite: 'Laval',
      codePostal: 'H7N 1A1',
    });
  });

  it('carries a unit and a province when given', () => {
    expect(addressChangeOf({ ...values, unit: '3', province: 'on' })).toMatchObject({
      adresse: { appartement: '3' },
      province: 'ON',
    });
  });

  it.each([
    ['no street', { ...values, street: undefined }, 'missing --street'],
    ['no city', { ...values, city: undefined }, 'missing --city'],
    ['no postal code', { ...values, 'postal-code': undefined }, 'missing --postal-code'],
    ['a bad postal code', { ...values, 'postal-code': '90210' }, '--postal-code must be'],
    ['a long unit', { ...values, unit: '12345678901' }, '--unit must be'],
  ])('refuses %s', (_, given, message) => {
    expect(() => addressChangeOf(given)).toThrow(message);
  });
});

describe('endpointUrlOf', () => {
  const sources = (env: Record<string, string>) =>
    loadConfig({ OIDC_ISSUER: 'https://idp.example', NODE_ENV: 'development', ...env }, '/srv').sources;

  it('takes the address SOURCE_ENDPOINTS gives', () => {
    expect(endpointUrlOf(sources({ SOURCE_ENDPOINTS: 'saaq-rest=http://saaq.example:8080' }), 'saaq-rest')).toBe(
      'http://saaq.example:8080',
    );
  });

  it("finds the simulator on npm start's port otherwise", () => {
    expect(endpointUrlOf(sources({}), 'saaq-rest')).toBe('http://127.0.0.1:9103');
    expect(endpointUrlOf(sources({ SIMULATOR_BASE_PORT: '9201' }), 'saaq-rest')).toBe('http://127.0.0.1:9203');
  });

  it.each([
    ['without simulators', { SIMULATORS: 'false' }, 'saaq-rest'],
    ['on free ports', { SIMULATOR_BASE_PORT: '0' }, 'saaq-rest'],
    ['for an endpoint no simulator serves', {}, 'elsewhere'],
  ])('knows no address %s', (_, env, endpoint) => {
    expect(endpointUrlOf(sources(env), endpoint)).toBeUndefined();
  });
});
