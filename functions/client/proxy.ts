/**
 * Who the client is behind reverse proxies.
 *
 * TRUSTED_PROXIES lists the proxies (addresses or CIDR ranges, IPv4 and IPv6,
 * comma-separated; none by default). Only a request whose socket peer is one
 * of them is read for forwarding headers:
 *
 * - the client's address: X-Forwarded-For, walked from the right (the hop the
 *   nearest proxy appended) past every hop that is itself a trusted proxy; the
 *   first other address is the client. Without X-Forwarded-For, RFC 7239
 *   `Forwarded: for=` is walked the same way. X-Forwarded-For wins when both
 *   are present: nginx appends to it but passes a client's own `Forwarded`
 *   through untouched, so that one could be forged.
 * - the scheme and host the browser used: X-Forwarded-Proto and
 *   X-Forwarded-Host (else those of the `Forwarded` element the client
 *   address came from), else the request's own.
 *
 * A header that cannot be read (a hop that is no address, `for=unknown`, bad
 * syntax) is not guessed at: the socket peer is taken as the client. A request
 * from any other peer is taken as it came, whatever headers it carries.
 */
import type { Context } from 'hono';
import { formatIp, inCidr, parseCidr, parseIp, type Cidr, type Ip } from './ip.ts';

/** Parses TRUSTED_PROXIES; throws naming the first entry that is no address or range. */
export function parseTrustedProxies(spec: string | undefined): Cidr[] {
  const entries = (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return entries.map((entry) => {
    const range = parseCidr(entry);
    if (!range) throw new Error(`TRUSTED_PROXIES 中的“${entry}”不是 IP 地址或 CIDR 网段（例如 127.0.0.1、10.0.0.0/8、::1、fd00::/8）`);
    return range;
  });
}

export interface ForwardedRequest {
  /** The socket peer's address. */
  peer: string;
  /** The request URL as the server built it (scheme and Host of the connection). */
  url: string;
  header(name: string): string | undefined;
}

export interface ClientView {
  /** The client's address, canonical (IPv4-mapped IPv6 as IPv4); the peer's text if it is no address. */
  address: string;
  /** scheme://host[:port] the browser used. */
  origin: string;
}

const trusted = (ranges: readonly Cidr[], ip: Ip | undefined) => !!ip && ranges.some((r) => inCidr(ip, r));

/** Splits on `sep` outside double-quoted strings; undefined if a quote is left open. */
function splitOutsideQuotes(text: string, sep: string): string[] | undefined {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '\\') {
      current += ch + (text[++i] ?? '');
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) return undefined;
  parts.push(current);
  return parts;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The elements of an RFC 7239 header as maps of lower-case parameter names; undefined if malformed. */
function parseForwarded(header: string): Map<string, string>[] | undefined {
  const elements = splitOutsideQuotes(header, ',');
  if (!elements) return undefined;
  const out: Map<string, string>[] = [];
  for (const element of elements) {
    const pairs = splitOutsideQuotes(element, ';');
    if (!pairs) return undefined;
    const params = new Map<string, string>();
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq < 0) return undefined;
      const name = pair.slice(0, eq).trim().toLowerCase();
      let value = pair.slice(eq + 1).trim();
      if (!TOKEN.test(name) || params.has(name)) return undefined;
      if (value.startsWith('"')) {
        if (value.length < 2 || !value.endsWith('"')) return undefined;
        value = value.slice(1, -1).replace(/\\(.)/g, '$1');
      } else if (!TOKEN.test(value)) return undefined;
      params.set(name, value);
    }
    out.push(params);
  }
  return out;
}

/** A hop: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1", "[2001:db8::1]:4711"; undefined if it is none. */
function parseHop(text: string): Ip | undefined {
  const s = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed) return parseIp(bracketed[1]!);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(s);
  return parseIp(withPort ? withPort[1]! : s);
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** scheme://host from a forwarded scheme and host, if both are well formed. */
function originOf(proto: string | undefined, host: string | undefined, own: URL): string {
  const scheme = (proto ?? own.protocol.slice(0, -1)).trim().toLowerCase();
  const h = (host ?? own.host).trim();
  if ((scheme !== 'http' && scheme !== 'https') || !HOST.test(h)) return own.origin;
  try {
    return new URL(`${scheme}://${h}`).origin;
  } catch {
    return own.origin;
  }
}

/** The first of a comma-separated list (the value the first proxy wrote, as Express reads it). */
const first = (value: string | undefined) => value?.split(',')[0]?.trim() || undefined;

/** The client's address and the origin it used, for one request (see the module comment). */
export function clientView(req: ForwardedRequest, proxies: readonly Cidr[]): ClientView {
  const own = new URL(req.url);
  const peerIp = parseIp(req.peer);
  const peer = peerIp ? formatIp(peerIp) : req.peer;
  if (!proxies.length || !trusted(proxies, peerIp)) return { address: peer, origin: own.origin };

  const xff = req.header('X-Forwarded-For');
  const forwarded = req.header('Forwarded');
  let address = peer;
  let element: Map<string, string> | undefined;
  if (xff?.trim()) {
    address = walk(xff.split(',').map(parseHop), proxies) ?? peer;
  } else if (forwarded?.trim()) {
    const elements = parseForwarded(forwarded);
    if (elements) {
      const hops = elements.map((e) => (e.has('for') ? parseHop(e.get('for')!) : undefined));
      const at = walkIndex(hops, proxies);
      if (at !== undefined) {
        address = formatIp(hops[at]!);
        element = elements[at];
      }
    }
  }
  const proto = first(req.header('X-Forwarded-Proto')) ?? element?.get('proto');
  const host = first(req.header('X-Forwarded-Host')) ?? element?.get('host');
  return { address, origin: originOf(proto, host, own) };
}

/** Index of the client among the hops (rightmost that is not a trusted proxy); undefined if a hop on the way is unreadable. */
function walkIndex(hops: (Ip | undefined)[], proxies: readonly Cidr[]): number | undefined {
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (!hop) return undefined;
    if (!trusted(proxies, hop) || i === 0) return i; // every hop trusted: the first is the client
  }
  return undefined;
}

function walk(hops: (Ip | undefined)[], proxies: readonly Cidr[]): string | undefined {
  const at = walkIndex(hops, proxies);
  return at === undefined ? undefined : formatIp(hops[at]!);
}

/**
 * clientView for a Hono request, computed once per request. `peer` reads the
 * socket's address (in Node: getConnInfo).
 */
export function proxyAware(proxies: readonly Cidr[], peer: (c: Context) => string) {
  const views = new WeakMap<Request, ClientView>();
  const view = (c: Context) => {
    let v = views.get(c.req.raw);
    if (!v) views.set(c.req.raw, (v = clientView({ peer: peer(c), url: c.req.url, header: (n) => c.req.header(n) }, proxies)));
    return v;
  };
  return { clientAddress: (c: Context) => view(c).address, requestOrigin: (c: Context) => view(c).origin };
}
