import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';

/**
 * Where callbacks may go: `any` address (development), or public unicast
 * addresses plus these networks (CIDR). An agency names its own callback URL,
 * so without this a caller could make the gateway POST to its own loopback,
 * the cloud metadata service or another agency's internal network.
 */
export type WebhookNetworks = 'any' | readonly string[];

export const DESTINATION_REFUSED = 'destination not allowed';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/**
 * An IPv6 form that carries an IPv4 address, and the IPv4 addresses a packet
 * to it reaches through a translator, a tunnel or the host's own stack.
 * `nat64-local` carries one too, but where depends on a prefix length only
 * its network's operator knows, so nothing can be read from it.
 */
export type CarriedIPv4 =
  | { form: 'compatible' | 'mapped' | 'translated' | 'nat64' | '6to4' | 'teredo' | 'isatap'; ipv4: IPv4[] }
  | { form: 'nat64-local'; ipv4: [] };

function ipv4Of(high: number, low: number): IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * Reads the IPv4 address inside an IPv6 one, by its 16-bit words rather than
 * its text: WHATWG URL writes `[::127.0.0.1]` as `[::7f00:1]`, which
 * ipaddr.js ranks as plain global unicast. Pure.
 */
export function carriedIPv4(address: IPv6): CarriedIPv4 | undefined {
  const [w0, w1, w2, w3, w4, w5, w6, w7] = address.parts;
  const zero = (...words: number[]): boolean => words.every((word) => word === 0);
  // ::a.b.c.d, IPv4-compatible (RFC 4291 §2.5.5.1, deprecated; a 6over4 `sit` tunnel still sends it to a.b.c.d).
  if (zero(w0, w1, w2, w3, w4, w5)) return { form: 'compatible', ipv4: [ipv4Of(w6, w7)] };
  // ::ffff:a.b.c.d, IPv4-mapped: a dual-stack socket connects to a.b.c.d itself.
  if (zero(w0, w1, w2, w3, w4) && w5 === 0xffff) return { form: 'mapped', ipv4: [ipv4Of(w6, w7)] };
  // ::ffff:0:a.b.c.d, IPv4-translated (RFC 6145 / SIIT).
  if (zero(w0, w1, w2, w3) && w4 === 0xffff && w5 === 0) return { form: 'translated', ipv4: [ipv4Of(w6, w7)] };
  if (w0 === 0x64 && w1 === 0xff9b) {
    // 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052): DNS64 gives these for every IPv4-only host.
    if (zero(w2, w3, w4, w5)) return { form: 'nat64', ipv4: [ipv4Of(w6, w7)] };
    // 64:ff9b:1::/48 (RFC 8215) and the rest of 64:ff9b::/32: a local prefix of /48 to /96.
    return { form: 'nat64-local', ipv4: [] };
  }
  // 2002:AABB:CCDD::/48, 6to4 (RFC 3056): the relay sends to AA.BB.CC.DD.
  if (w0 === 0x2002) return { form: '6to4', ipv4: [ipv4Of(w1, w2)] };
  // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC, Teredo (RFC 4380): the server, and the client with its bits inverted.
  if (w0 === 0x2001 && w1 === 0) return { form: 'teredo', ipv4: [ipv4Of(w2, w3), ipv4Of(w6 ^ 0xffff, w7 ^ 0xffff)] };
  // prefix:0000:5efe:a.b.c.d or prefix:0200:5efe:a.b.c.d, ISATAP (RFC 5214): any /64 may tunnel to a.b.c.d.
  if ((w4 & 0xfdff) === 0 && w5 === 0x5efe) return { form: 'isatap', ipv4: [ipv4Of(w6, w7)] };
  return undefined;
}

function listed(address: IPv4 | IPv6, networks: readonly string[]): boolean {
  return networks.some((cidr) => {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    return network.kind() === address.kind() && address.match(network, bits);
  });
}

function ipv4Allowed(address: IPv4, networks: readonly string[]): boolean {
  return address.range() === 'unicast' || listed(address, networks);
}

/**
 * True when a callback may connect to `address` (an IP literal). Pure.
 *
 * An IPv6 address that carries an IPv4 one is judged by the IPv4 address it
 * reaches, by the same rule as a bare one: `::127.0.0.1`, `64:ff9b::a00:1`
 * (NAT64 to 10.0.0.1) and `2002:a9fe:a9fe::` (6to4 to the metadata service)
 * are refused, while `::ffff:8.8.8.8` and `64:ff9b::808:808` are allowed: they
 * reach nothing more than 8.8.8.8 does, and an IPv6-only node behind DNS64
 * can call IPv4-only agencies through them. A form whose IPv4 cannot be
 * read (a local-use NAT64 prefix) is refused unless its network is listed.
 */
export function destinationAllowed(address: string, networks: WebhookNetworks): boolean {
  if (networks === 'any') return true;
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  // A network the operator listed is allowed as written, whatever the form.
  if (listed(parsed, networks)) return true;
  if (parsed.kind() === 'ipv4') return ipv4Allowed(parsed as IPv4, networks);
  const v6 = parsed as IPv6;
  const carried = carriedIPv4(v6);
  if (carried === undefined) return v6.range() === 'unicast';
  if (carried.form === 'nat64-local') return false;
  // ISATAP sits inside an ordinary prefix, which must itself be global; the other forms have ranges of their own.
  if (carried.form === 'isatap' && v6.range() !== 'unicast') return false;
  return carried.ipv4.every((ipv4) => ipv4Allowed(ipv4, networks));
}

/** The URL's host, when it is an IP literal that may not be called; undefined otherwise. */
export function refusedLiteral(url: string, networks: WebhookNetworks): string | undefined {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) !== 0 && !destinationAllowed(host, networks) ? host : undefined;
}

/**
 * Name resolution that keeps only allowed addresses, so the check holds for
 * the address actually connected to (no DNS rebinding between check and use).
 */
function guardedLookup(networks: WebhookNetworks): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) return callback(error, '', 0);
      const allowed = addresses.filter((entry) => destinationAllowed(entry.address, networks));
      if (allowed.length === 0) {
        return callback(Object.assign(new Error(DESTINATION_REFUSED), { code: 'EDESTINATION' }), '', 0);
      }
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      return callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

/** The HTTP client for callbacks: redirects are not followed, and every connection goes through the guard. */
export function webhookAgent(networks: WebhookNetworks): Agent {
  return new Agent({ connect: networks === 'any' ? {} : { lookup: guardedLookup(networks) } });
}
