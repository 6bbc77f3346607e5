/**
 * IP addresses and CIDR ranges, in plain TypeScript (no node:net), so the same
 * code runs in Node and on Workers: parsing, canonical text, range membership,
 * and the group a rate limit counts an address in.
 */

export interface Ip {
  version: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface Cidr {
  ip: Ip;
  /** Leading bits that must match: 0–32 for IPv4, 0–128 for IPv6. */
  prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map((p) => (p.length > 1 && p.startsWith('0') ? NaN : Number(p))); // 010 would be octal elsewhere
  return parts.every((n) => n >= 0 && n <= 255) ? Uint8Array.from(parts) : undefined;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const words: number[] = [];
  // A dotted IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
  const lastList = halves.length === 2 ? tail : head;
  const last = lastList[lastList.length - 1];
  let v4: Uint8Array | undefined;
  if (last?.includes('.')) {
    v4 = parseIpv4(last);
    if (!v4) return undefined;
    lastList.pop();
  }
  for (const g of [...head, ...tail]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
  const count = head.length + tail.length + (v4 ? 2 : 0);
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  words.push(...head.map((g) => parseInt(g, 16)));
  for (let i = count; i < 8; i++) words.push(0);
  words.push(...tail.map((g) => parseInt(g, 16)));
  if (v4) words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

const isV4Mapped = (b: Uint8Array) => b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/**
 * An IPv4 or IPv6 address (a zone such as %eth0 is dropped); undefined if the text is not one.
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4 address it maps.
 */
export function parseIp(text: string): Ip | undefined {
  const s = text.trim();
  if (s.includes(':')) {
    const bytes = parseIpv6(s.replace(/%[0-9A-Za-z._~-]+$/, ''));
    if (!bytes) return undefined;
    return isV4Mapped(bytes) ? { version: 4, bytes: bytes.slice(12) } : { version: 6, bytes };
  }
  const bytes = parseIpv4(s);
  return bytes && { version: 4, bytes };
}

/** Canonical text: dotted IPv4, RFC 5952 IPv6 (lower case, longest run of zero groups as ::). */
export function formatIp(ip: Ip): string {
  if (ip.version === 4) return [...ip.bytes].join('.');
  const words = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!);
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** "192.0.2.0/24", "2001:db8::/32" or a single address; undefined if malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, extra] = text.trim().split('/');
  if (extra !== undefined || !addr) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  if (bits === undefined) return { ip, prefix: max };
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  let prefix = Number(bits);
  // ::ffff:10.0.0.0/104 is 10.0.0.0/8: mapped addresses are compared as IPv4.
  if (ip.version === 4 && addr.includes(':')) prefix -= 96;
  return prefix >= 0 && prefix <= max ? { ip, prefix } : undefined;
}

export function inCidr(ip: Ip, range: Cidr): boolean {
  if (ip.version !== range.ip.version) return false;
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (ip.bytes[i] !== range.ip.bytes[i]) return false;
  const rest = range.prefix & 7;
  if (!rest) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip.bytes[full]! & mask) === (range.ip.bytes[full]! & mask);
}

/**
 * What a per-client rate limit counts an address under: an IPv4 address by itself,
 * an IPv6 address by its /64 — one subscriber's network, inside which a client can
 * take a fresh address for every request. Text that is no address is used as it is.
 */
export function limitSubject(address: string): string {
  const ip = parseIp(address);
  if (!ip) return address;
  if (ip.version === 4) return formatIp(ip);
  const prefix = new Uint8Array(16);
  prefix.set(ip.bytes.subarray(0, 8));
  return `${formatIp({ version: 6, bytes: prefix })}/64`;
}
