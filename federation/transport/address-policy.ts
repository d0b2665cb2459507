// Which IP addresses outbound federation may connect to. A server name is chosen by whoever sends
// us an event, an invite or a join request, so without this anyone could make Cairn fetch
// `https://127.0.0.1:6379/...` or a cloud metadata service. Checked on the addresses a connection
// actually uses (federation/transport/guarded-connector.ts), so DNS rebinding cannot get around it.
import { BlockList, isIP } from 'node:net';

// Not globally routable: https://www.iana.org/assignments/iana-ipv4-special-registry and its
// IPv6 sibling. Ranges that embed an IPv4 address (IPv4-mapped, NAT64, 6to4) are unwrapped below
// and the embedded address is judged instead.
const IPV4_RANGES: [string, number][] = [
  ['0.0.0.0', 8], // "this network", including the unspecified address
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, where cloud metadata services live
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];
const IPV6_RANGES: [string, number][] = [
  ['::', 96], // unspecified, loopback, deprecated IPv4-compatible
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, ...)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some)
  ['ff00::', 8], // multicast
];

const blocked = new BlockList();
for (const [network, prefix] of IPV4_RANGES) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of IPV6_RANGES) blocked.addSubnet(network, prefix, 'ipv6');

/** True when `address` (an IP literal) is loopback, private, link-local, CGNAT, multicast,
 * unspecified or otherwise not a public unicast address. Anything that is not an IP is refused. */
export function isNonPublicAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return blocked.check(address, 'ipv4');
  if (version !== 6) return true;
  const embedded = embeddedIpv4(address);
  if (embedded !== undefined) return blocked.check(embedded, 'ipv4');
  return blocked.check(address, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4
 * (2002::/16) address. */
function embeddedIpv4(address: string): string | undefined {
  const g = expandIpv6(address);
  const at = (i: number) => g[i] ?? 0;
  const dotted = (high: number, low: number) =>
    `${at(high) >> 8}.${at(high) & 0xff}.${at(low) >> 8}.${at(low) & 0xff}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && at(5) === 0xffff) return dotted(6, 7);
  if (at(0) === 0x64 && at(1) === 0xff9b && zeros(2, 6)) return dotted(6, 7);
  if (at(0) === 0x2002) return dotted(1, 2);
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 literal (dotted IPv4 tails included). */
function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
