import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * The client as the abuse budget counts it, from the request's address (ctx.ip: the socket's peer, or with
 * TRUST_PROXY the rightmost X-Forwarded-For entry, the one the ingress saw). An IPv4 address is one client;
 * an IPv6 address counts as its /64, because one subscriber or host is handed a whole /64 and could otherwise
 * take a fresh address, and a fresh budget, for every request. An IPv4 address mapped into IPv6
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports) is the IPv4 address. Undefined when there is no
 * address to go by (a socket already gone): such a view is not budgeted.
 */
export function budgetClientOf(ip: string): string | undefined {
  // node:net's check, not ipaddr.isValid: that one also takes the old shorthands ("10.1" for 10.0.0.1).
  if (isIP(ip) === 0) return undefined;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}
