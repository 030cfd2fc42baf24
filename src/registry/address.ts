// Where a host lives, for the security rules that depend on it: plain HTTP is automatic only
// for loopback; a public registry may not send credentials (or us) to a loopback, private or
// link-local address, whether as a token realm or as a redirect hop (a classic SSRF pivot:
// 169.254.169.254 is every cloud's metadata service).
//
// One classifier, used by every such rule. It classifies the address the socket would reach,
// not the spelling: the URL parser writes `[::ffff:127.0.0.1]` as `[::ffff:7f00:1]`, and
// IPv4-compatible (`::7f00:1`), SIIT-translated, NAT64 and 6to4 addresses carry an IPv4
// address too, so the embedded IPv4 address is what gets classified.

import { BlockList, isIP } from 'node:net';

export type AddressKind = 'loopback' | 'unspecified' | 'linkLocal' | 'private' | 'reserved' | 'public';

type Family = 'ipv4' | 'ipv6';
const RANGES: [Exclude<AddressKind, 'public'>, string, number, Family][] = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  // "This network": Linux connects 0.0.0.0 to the local host.
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  // Carrier-grade NAT: in practice a provider's or a VPN's internal network.
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['linkLocal', '169.254.0.0', 16, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '224.0.0.0', 4, 'ipv4'], // multicast
  ['reserved', '240.0.0.0', 4, 'ipv4'], // reserved, and the broadcast address
  ['loopback', '::1', 128, 'ipv6'],
  ['unspecified', '::', 128, 'ipv6'],
  ['linkLocal', 'fe80::', 10, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'], // unique local
  ['private', 'fec0::', 10, 'ipv6'], // site-local (deprecated, still routed inside sites)
  ['private', '64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
  ['reserved', 'ff00::', 8, 'ipv6'], // multicast
];

const lists = new Map<AddressKind, BlockList>();
for (const [kind, net, prefix, family] of RANGES) {
  let list = lists.get(kind);
  if (!list) lists.set(kind, (list = new BlockList()));
  list.addSubnet(net, prefix, family);
}

function inRanges(address: string, family: Family): AddressKind | undefined {
  for (const [kind, list] of lists) if (list.check(address, family)) return kind;
  return undefined;
}

/**
 * The host as a socket would see it: lower case, no brackets, zone or trailing dots, and
 * numeric IPv4 spellings (`2130706433`, `0x7f.1`, `127.1`) in dotted form, via the URL parser.
 */
export function canonicalHost(hostname: string): string {
  let h = hostname.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  h = h.replace(/%.*$/, '').replace(/\.+$/, '');
  if (isIP(h)) return isIP(h) === 6 ? reparse(`[${h}]`) ?? h : h;
  return reparse(h) ?? h;
}

function reparse(host: string): string | undefined {
  try {
    const parsed = new URL(`http://${host}/`).hostname.replace(/\.+$/, '');
    return parsed.startsWith('[') ? parsed.slice(1, -1) : parsed;
  } catch {
    return undefined;
  }
}

/** An IPv6 address as eight 16-bit groups (`::` expanded, a dotted IPv4 tail converted). */
function groups(ipv6: string): number[] | undefined {
  let text = ipv6;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (s: string): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...Array<number>(Math.max(fill, 0)).fill(0), ...right];
  return all.length === 8 && all.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? all : undefined;
}

const dotted = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** The IPv4 address an IPv6 address stands for, where it embeds one. */
export function embeddedIPv4(ipv6: string): string | undefined {
  const g = groups(ipv6);
  if (!g) return undefined;
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  // ::a.b.c.d (compatible), ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT translated)
  if (zeros(0, 5) && (g[5] === 0 || g[5] === 0xffff)) return dotted(g[6]!, g[7]!);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return dotted(g[6]!, g[7]!);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return dotted(g[6]!, g[7]!);
  // 2002:AABB:CCDD::/48 (6to4)
  if (g[0] === 0x2002) return dotted(g[1]!, g[2]!);
  return undefined;
}

// Names that only resolve inside a network. A single label (`registry`, `metadata`) resolves
// through the local search domains, so it is internal too.
const INTERNAL_SUFFIXES = ['.local', '.internal', '.lan', '.home.arpa', '.intranet', '.corp'];

function classifyName(name: string): AddressKind {
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (!name.includes('.') || INTERNAL_SUFFIXES.some((s) => name.endsWith(s))) return 'private';
  return 'public';
}

/** What kind of address `hostname` (as URL gives it, or typed by a person) reaches. */
export function classifyHost(hostname: string): AddressKind {
  const h = canonicalHost(hostname);
  const family = isIP(h);
  if (family === 0) return classifyName(h);
  if (family === 4) return inRanges(h, 'ipv4') ?? 'public';
  // `::` and `::1` sit inside the IPv4-compatible block: their own ranges come first.
  const own = inRanges(h, 'ipv6');
  if (own) return own;
  const v4 = embeddedIPv4(h);
  return (v4 ? inRanges(v4, 'ipv4') : undefined) ?? 'public';
}

export function isLoopbackHost(hostname: string): boolean {
  return classifyHost(hostname) === 'loopback';
}

/** Anything a public server has no business sending us to: loopback, private, link-local… */
export function isPrivateHost(hostname: string): boolean {
  return classifyHost(hostname) !== 'public';
}

/** For messages: what a refused address is, as in "… at 10.0.0.5, an address on a private network". */
export function describeKind(kind: AddressKind): string {
  switch (kind) {
    case 'loopback':
    case 'unspecified':
      return 'an address of this computer';
    case 'linkLocal':
      return 'a link-local address, where cloud metadata services live';
    case 'private':
      return 'an address on a private network';
    case 'reserved':
      return 'a reserved address';
    default:
      return 'a public address';
  }
}
