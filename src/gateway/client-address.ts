// The client's address behind a load balancer: `X-Forwarded-For` is believed only when the socket
// peer is one of the trusted proxies (--trusted-proxies CIDR...), and then only up to the rightmost
// hop that is not itself trusted; anyone else could write any address into that header.
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { DistillGuardError } from '../core/index.js';

/** The client address of a request, from the socket peer and its headers. */
export type ClientAddressOf = (peer: string | undefined, headers: IncomingHttpHeaders) => string;

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function normalize(address: string): string {
  const trimmed = address.trim();
  return trimmed.toLowerCase().startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4
    ? trimmed.slice(7)
    : trimmed;
}

/**
 * Parses CIDRs (`10.0.0.0/8`, `fd00::/8`) or single addresses into a BlockList.
 * @throws DistillGuardError('usage') naming the entry that is not one.
 */
export function parseTrustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries
    .flatMap((text) => text.split(','))
    .map((text) => text.trim())
    .filter((text) => text.length > 0)) {
    const [address, prefixText, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
    const maxPrefix = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > maxPrefix ||
      (prefixText !== undefined && !/^\d+$/.test(prefixText))
    ) {
      throw new DistillGuardError(
        'usage',
        `--trusted-proxies: '${entry}' is not an address or CIDR (e.g. 10.0.0.0/8, 192.168.1.7, fd00::/8).`,
      );
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client address: the socket peer, unless it is a trusted proxy; then the rightmost
 * `X-Forwarded-For` hop that is not trusted (the leftmost when all are). A malformed hop ends
 * the walk at the last good address.
 * @example clientAddress('10.0.0.2', '203.0.113.9, 10.0.0.3', parseTrustedProxies(['10.0.0.0/8'])) // '203.0.113.9'
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList,
): string {
  let address = normalize(peer ?? '');
  if (!isTrusted(trusted, address) || forwardedFor === undefined) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = normalize(hops[index]);
    if (isIP(hop) === 0) break;
    address = hop;
    if (!isTrusted(trusted, hop)) break;
  }
  return address;
}

/** The socket peer as it is (no trusted proxies: as before), or the X-Forwarded-For walk above. */
export function clientAddressResolver(trusted: BlockList | null): ClientAddressOf {
  if (trusted === null) return (peer) => peer ?? '';
  return (peer, headers) => clientAddress(peer, headers['x-forwarded-for'], trusted);
}
