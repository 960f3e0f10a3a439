import ipaddr from 'ipaddr.js';
import { carriedIPv4, destinationAllowed, refusedLiteral } from './webhook-destination';

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

/**
 * IPv6 forms that carry an IPv4 address are judged by the IPv4 address they
 * reach. Each row: the address, the form and IPv4 read from it, and whether a
 * callback may go there when only 10.20.0.0/16 is listed.
 */
describe('IPv6 addresses that carry an IPv4 address', () => {
  const listed = ['10.20.0.0/16'];

  it.each([
    // IPv4-compatible ::/96, as written and as WHATWG URL writes it.
    ['::127.0.0.1', 'mapped', ['127.0.0.1'], false], // ipaddr.js reads this text as ::ffff:127.0.0.1
    ['::7f00:1', 'compatible', ['127.0.0.1'], false],
    ['::a00:1', 'compatible', ['10.0.0.1'], false],
    ['::a9fe:a9fe', 'compatible', ['169.254.169.254'], false],
    ['::808:808', 'compatible', ['8.8.8.8'], true],
    // IPv4-mapped ::ffff:0:0/96. Allowed when public: a dual-stack socket reaches 8.8.8.8 itself, nothing more.
    ['::ffff:7f00:1', 'mapped', ['127.0.0.1'], false],
    ['::ffff:169.254.169.254', 'mapped', ['169.254.169.254'], false],
    ['::ffff:8.8.8.8', 'mapped', ['8.8.8.8'], true],
    ['::ffff:10.20.3.4', 'mapped', ['10.20.3.4'], true],
    // IPv4-translated ::ffff:0:0:0/96 (SIIT).
    ['::ffff:0:7f00:1', 'translated', ['127.0.0.1'], false],
    ['::ffff:0:808:808', 'translated', ['8.8.8.8'], true],
    // NAT64 well-known prefix 64:ff9b::/96. Allowed when public: DNS64 gives these for IPv4-only hosts.
    ['64:ff9b::7f00:1', 'nat64', ['127.0.0.1'], false],
    ['64:ff9b::169.254.169.254', 'nat64', ['169.254.169.254'], false],
    ['64:ff9b::c0a8:1', 'nat64', ['192.168.0.1'], false],
    ['64:ff9b::808:808', 'nat64', ['8.8.8.8'], true],
    ['64:ff9b::a14:304', 'nat64', ['10.20.3.4'], true],
    // NAT64 local-use 64:ff9b:1::/48: where the IPv4 sits depends on the operator's prefix length. Refused.
    ['64:ff9b:1::808:808', 'nat64-local', [], false],
    ['64:ff9b:1:7f00:1::', 'nat64-local', [], false],
    // 6to4 2002::/16, IPv4 in bits 16 to 48.
    ['2002:7f00:1::1', '6to4', ['127.0.0.1'], false],
    ['2002:a9fe:a9fe::', '6to4', ['169.254.169.254'], false],
    ['2002:c0a8:1:1::1', '6to4', ['192.168.0.1'], false],
    ['2002:808:808::1', '6to4', ['8.8.8.8'], true],
    // Teredo 2001::/32: the server, then the client with its bits inverted.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo', ['65.54.227.120', '127.0.0.1'], false],
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'teredo', ['10.0.0.1', '8.8.8.8'], false],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'teredo', ['65.54.227.120', '8.8.8.8'], true],
    // ISATAP: any /64 with an interface id of 0000:5efe or 0200:5efe; the prefix must itself be global.
    ['2606:4700::5efe:7f00:1', 'isatap', ['127.0.0.1'], false],
    ['2606:4700::200:5efe:a00:1', 'isatap', ['10.0.0.1'], false],
    ['fe80::5efe:808:808', 'isatap', ['8.8.8.8'], false],
    ['2606:4700::5efe:808:808', 'isatap', ['8.8.8.8'], true],
  ] as const)('%s is %s of %j: allowed %s', (address, form, ipv4, allowed) => {
    const carried = carriedIPv4(ipaddr.IPv6.parse(address));
    expect({ form: carried?.form, ipv4: carried?.ipv4.map(String) }).toEqual({ form, ipv4 });
    expect(destinationAllowed(address, listed)).toBe(allowed);
  });

  it.each(['2606:4700::1111', '2001:4860:4860::8888', '2a00:1450:4007:80e::200e'])(
    'reads nothing from %s, an ordinary global address, and allows it',
    (address) => {
      expect(carriedIPv4(ipaddr.IPv6.parse(address))).toBeUndefined();
      expect(destinationAllowed(address, listed)).toBe(true);
    },
  );

  it('allows a carrying form its operator listed as such', () => {
    expect(destinationAllowed('64:ff9b:1::a00:1', ['64:ff9b:1::/48'])).toBe(true);
  });
});

describe('refusedLiteral', () => {
  it('names a refused address written in the URL, in any of its forms', () => {
    expect(refusedLiteral('http://[::1]:8080/hooks', [])).toBe('::1');
    expect(refusedLiteral('http://0x7f.1/hooks', [])).toBe('127.0.0.1');
    expect(refusedLiteral('https://8.8.8.8/hooks', [])).toBeUndefined();
  });

  it('refuses loopback written as an IPv4-compatible IPv6 address, which URL rewrites to ::7f00:1', () => {
    expect(refusedLiteral('http://[::127.0.0.1]/', [])).toBe('::7f00:1');
    expect(refusedLiteral('http://[64:ff9b::169.254.169.254]/latest/meta-data', [])).toBe('64:ff9b::a9fe:a9fe');
  });

  it('leaves host names to the check at connection time', () => {
    expect(refusedLiteral('http://localhost/hooks', [])).toBeUndefined();
  });
});
