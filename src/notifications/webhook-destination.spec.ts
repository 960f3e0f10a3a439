import { destinationAllowed, refusedLiteral } from './webhook-destination';

describe('destinationAllowed', () => {
  const listed = ['10.20.0.0/16', 'fd00:20::/32'];

  it.each([
    '127.0.0.1',
    '::1',
    '::ffff:127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.0.1',
    '169.254.169.254',
    'fe80::1',
    '100.64.0.1',
    '0.0.0.0',
    '::',
    'fc00::1',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    '64:ff9b::a00:1',
    'not an address',
  ])('refuses %s when it is not listed', (address) => {
    expect(destinationAllowed(address, listed)).toBe(false);
  });

  it.each(['8.8.8.8', '2001:4860:4860::8888', '10.20.3.4', '::ffff:10.20.3.4', 'fd00:20::4'])(
    'allows %s: public, or in a listed network',
    (address) => {
      expect(destinationAllowed(address, listed)).toBe(true);
    },
  );

  it('allows anything when any address may be called (development)', () => {
    expect(destinationAllowed('127.0.0.1', 'any')).toBe(true);
  });
});

describe('refusedLiteral', () => {
  it('names a refused address written in the URL, in any of its forms', () => {
    expect(refusedLiteral('http://[::1]:8080/hooks', [])).toBe('::1');
    expect(refusedLiteral('http://0x7f.1/hooks', [])).toBe('127.0.0.1');
    expect(refusedLiteral('https://8.8.8.8/hooks', [])).toBeUndefined();
  });

  it('leaves host names to the check at connection time', () => {
    expect(refusedLiteral('http://localhost/hooks', [])).toBeUndefined();
  });
});
