import { isIPv4, isIPv6 } from "node:net";

/** What an address is, as far as reaching it from our servers goes. */
export const addressKinds = ["public", "loopback", "private", "link-local", "unspecified", "multicast", "reserved"] as const;
export type AddressKind = (typeof addressKinds)[number];

type Range = { cidr: string; kind: AddressKind | "embedded-ipv4" };

// IANA special-purpose registries (RFC 6890 and successors), narrowed to what matters for SSRF.
const ipv4Ranges: Range[] = [
  { cidr: "0.0.0.0/8", kind: "unspecified" },
  { cidr: "10.0.0.0/8", kind: "private" },
  { cidr: "100.64.0.0/10", kind: "private" }, // carrier-grade NAT
  { cidr: "127.0.0.0/8", kind: "loopback" },
  { cidr: "169.254.0.0/16", kind: "link-local" }, // includes cloud metadata at 169.254.169.254
  { cidr: "172.16.0.0/12", kind: "private" },
  { cidr: "192.0.0.0/24", kind: "reserved" },
  { cidr: "192.0.2.0/24", kind: "reserved" },
  { cidr: "192.88.99.0/24", kind: "reserved" },
  { cidr: "192.168.0.0/16", kind: "private" },
  { cidr: "198.18.0.0/15", kind: "reserved" },
  { cidr: "198.51.100.0/24", kind: "reserved" },
  { cidr: "203.0.113.0/24", kind: "reserved" },
  { cidr: "224.0.0.0/4", kind: "multicast" },
  { cidr: "240.0.0.0/4", kind: "reserved" }, // includes broadcast
];

// First match wins: the exact addresses and the IPv4-carrying prefixes come before ::/8.
const ipv6Ranges: Range[] = [
  { cidr: "::/128", kind: "unspecified" },
  { cidr: "::1/128", kind: "loopback" },
  { cidr: "::ffff:0:0/96", kind: "embedded-ipv4" }, // IPv4-mapped
  { cidr: "64:ff9b::/96", kind: "embedded-ipv4" }, // NAT64 well-known prefix
  { cidr: "::/8", kind: "reserved" }, // includes the deprecated IPv4-compatible ::a.b.c.d
  { cidr: "64:ff9b:1::/48", kind: "private" }, // local-use NAT64
  { cidr: "100::/64", kind: "reserved" },
  { cidr: "2001::/32", kind: "reserved" }, // Teredo: the client address inside is obfuscated
  { cidr: "2001:db8::/32", kind: "reserved" },
  { cidr: "2002::/16", kind: "embedded-ipv4" }, // 6to4
  { cidr: "fc00::/7", kind: "private" }, // unique local
  { cidr: "fe80::/10", kind: "link-local" },
  { cidr: "fec0::/10", kind: "private" }, // deprecated site-local
  { cidr: "ff00::/8", kind: "multicast" },
];

function ipv4ToBigInt(address: string): bigint | null {
  if (!isIPv4(address)) return null;
  return address.split(".").reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint | null {
  let text = address.replace(/^\[|\]$/g, "").split("%")[0] ?? "";
  if (!isIPv6(text)) return null;
  const dotted = text.match(/\d+\.\d+\.\d+\.\d+$/)?.[0];
  if (dotted) {
    const ipv4 = ipv4ToBigInt(dotted);
    if (ipv4 === null) return null;
    text = `${text.slice(0, -dotted.length)}${(ipv4 >> 16n).toString(16)}:${(ipv4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill("0");
  const groups = [...headGroups, ...zeros, ...tailGroups];
  if (groups.length !== 8) return null;
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function matches(value: bigint, cidr: string, bits: 32 | 128): boolean {
  const [base = "", prefix = "0"] = cidr.split("/");
  const baseValue = bits === 32 ? ipv4ToBigInt(base) : ipv6ToBigInt(base);
  if (baseValue === null) throw new Error(`bad range ${cidr}`);
  const shift = BigInt(bits - Number(prefix));
  return value >> shift === baseValue >> shift;
}

function classifyIPv4(value: bigint): AddressKind {
  const range = ipv4Ranges.find((candidate) => matches(value, candidate.cidr, 32));
  return range ? (range.kind as AddressKind) : "public";
}

function classifyIPv6(value: bigint): AddressKind {
  const range = ipv6Ranges.find((candidate) => matches(value, candidate.cidr, 128));
  if (!range) return "public";
  if (range.kind !== "embedded-ipv4") return range.kind;
  // An IPv6 address that carries an IPv4 one reaches that IPv4 host: judge it by that.
  const embedded = range.cidr.startsWith("2002:") ? (value >> 80n) & 0xffffffffn : value & 0xffffffffn;
  return classifyIPv4(embedded);
}

/** Classifies a literal IPv4 or IPv6 address (brackets and zone ids allowed); null when it is not one. */
export function classifyAddress(address: string): AddressKind | null {
  const ipv4 = ipv4ToBigInt(address);
  if (ipv4 !== null) return classifyIPv4(ipv4);
  const ipv6 = ipv6ToBigInt(address);
  return ipv6 === null ? null : classifyIPv6(ipv6);
}
