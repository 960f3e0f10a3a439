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

/** True when a callback may connect to `address` (an IP literal). Pure. */
export function destinationAllowed(address: string, networks: WebhookNetworks): boolean {
  if (networks === 'any') return true;
  if (!ipaddr.isValid(address)) return false;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is.
  const parsed = ipaddr.process(address);
  if (parsed.range() === 'unicast') return true;
  return networks.some((cidr) => {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    return network.kind() === parsed.kind() && parsed.match(network, bits);
  });
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
