/**
 * Client addresses: IP parsing and ranges (functions/client/ip.ts), the rate-limit
 * group of an address, and who the client is behind trusted reverse proxies
 * (functions/client/proxy.ts).
 */
import { describe, expect, it } from 'vitest';
import { formatIp, inCidr, limitSubject, parseCidr, parseIp } from '../../functions/client/ip.ts';
import { clientView, parseTrustedProxies, type ForwardedRequest } from '../../functions/client/proxy.ts';
import { directoryRedirect } from '../../functions/paths.ts';

const canonical = (text: string) => {
  const ip = parseIp(text);
  return ip && formatIp(ip);
};

describe('IP addresses', () => {
  it('reads IPv4 and IPv6 in every usual spelling and writes them canonically', () => {
    expect(canonical('192.0.2.1')).toBe('192.0.2.1');
    expect(canonical(' 2001:DB8:0:0:0:0:0:1 ')).toBe('2001:db8::1');
    expect(canonical('2001:db8::0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonical('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(canonical('::')).toBe('::');
    expect(canonical('::1')).toBe('::1');
    expect(canonical('fe80::1%eth0')).toBe('fe80::1');
    expect(canonical('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
    expect(canonical('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
  });

  it('takes an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ version: 4, bytes: Uint8Array.from([192, 0, 2, 1]) });
    expect(canonical('::FFFF:c000:0201')).toBe('192.0.2.1');
    expect(canonical('0:0:0:0:0:ffff:127.0.0.1')).toBe('127.0.0.1');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', 'unknown', '256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1:2', '12345::', 'g::1', '1.2.3.4::', '::1.2.3', '_hidden', '[::1]']) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
  });

  it('matches CIDR ranges bit by bit, IPv4-mapped ranges as IPv4', () => {
    const within = (a: string, r: string) => inCidr(parseIp(a)!, parseCidr(r)!);
    expect(within('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(within('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(within('192.0.2.130', '192.0.2.128/25')).toBe(true);
    expect(within('192.0.2.127', '192.0.2.128/25')).toBe(false);
    expect(within('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(within('127.0.0.2', '127.0.0.1')).toBe(false);
    expect(within('::ffff:10.9.9.9', '10.0.0.0/8')).toBe(true);
    expect(within('10.9.9.9', '::ffff:10.0.0.0/104')).toBe(true);
    expect(within('fd12:3456::1', 'fd00::/8')).toBe(true);
    expect(within('fe80::1', 'fd00::/8')).toBe(false);
    expect(within('10.0.0.1', '::/0')).toBe(false);
    expect(within('2001:db8::1', '0.0.0.0/0')).toBe(false);
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/8', 'x/8', '10.0.0.0/a']) expect(parseCidr(bad), bad).toBeUndefined();
  });

  it('groups IPv6 clients by /64 for rate limits, IPv4 clients (mapped or not) by address', () => {
    expect(limitSubject('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limitSubject('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(limitSubject('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(limitSubject('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(limitSubject('198.51.100.7')).toBe('198.51.100.7');
    expect(limitSubject('unknown')).toBe('unknown');
  });
});

function request(peer: string, headers: Record<string, string> = {}, url = 'http://portal.example/staff/login/'): ForwardedRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { peer, url, header: (name) => lower[name.toLowerCase()] };
}

describe('the client behind reverse proxies', () => {
  const proxies = parseTrustedProxies('127.0.0.1, 10.0.0.0/8, fd00::/8');

  it('reads TRUSTED_PROXIES (none by default) and names a bad entry', () => {
    expect(parseTrustedProxies(undefined)).toEqual([]);
    expect(parseTrustedProxies(' ')).toEqual([]);
    expect(parseTrustedProxies('::1,192.0.2.0/24')).toHaveLength(2);
    expect(() => parseTrustedProxies('127.0.0.1, localhost')).toThrow('“localhost”');
    expect(() => parseTrustedProxies('10.0.0.0/40')).toThrow('10.0.0.0/40');
  });

  it('ignores forwarding headers from a peer that is not a trusted proxy', () => {
    const spoofed = { 'X-Forwarded-For': '203.0.113.9', Forwarded: 'for=203.0.113.9;proto=https', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example' };
    expect(clientView(request('198.51.100.7', spoofed), proxies)).toEqual({ address: '198.51.100.7', origin: 'http://portal.example' });
    // With no proxies configured, not even a loopback peer is believed.
    expect(clientView(request('127.0.0.1', spoofed), [])).toEqual({ address: '127.0.0.1', origin: 'http://portal.example' });
    expect(clientView(request('::ffff:198.51.100.7'), proxies).address).toBe('198.51.100.7');
  });

  it('takes the rightmost X-Forwarded-For hop that is not itself a trusted proxy', () => {
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': '198.51.100.7' }), proxies).address).toBe('198.51.100.7');
    // A client's own (forged) entries are to the left of what the proxy appended.
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': '203.0.113.9, 198.51.100.7' }), proxies).address).toBe('198.51.100.7');
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': '203.0.113.9, 198.51.100.7, 10.1.1.1' }), proxies).address).toBe('198.51.100.7');
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': '2001:DB8::7, fd00::2' }), proxies).address).toBe('2001:db8::7');
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': '198.51.100.7:5123' }), proxies).address).toBe('198.51.100.7');
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': '[2001:db8::7]:5123' }), proxies).address).toBe('2001:db8::7');
    // Every hop a trusted proxy: the first is the client.
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': '10.0.0.5, 10.0.0.6' }), proxies).address).toBe('10.0.0.5');
  });

  it('falls back to the peer when the hop it needs is unreadable', () => {
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': 'garbage' }), proxies).address).toBe('127.0.0.1');
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': '198.51.100.7, 10.0.0.1, ' }), proxies).address).toBe('127.0.0.1');
    // Garbage left of the client's hop is never read.
    expect(clientView(request('127.0.0.1', { 'X-Forwarded-For': 'garbage, 198.51.100.7' }), proxies).address).toBe('198.51.100.7');
    expect(clientView(request('127.0.0.1', { Forwarded: 'for=unknown' }), proxies).address).toBe('127.0.0.1');
    expect(clientView(request('127.0.0.1', { Forwarded: 'for="198.51.100.7' }), proxies).address).toBe('127.0.0.1');
    expect(clientView(request('127.0.0.1', { Forwarded: 'for' }), proxies).address).toBe('127.0.0.1');
  });

  it('reads RFC 7239 Forwarded when there is no X-Forwarded-For, with the scheme and host of the client’s element', () => {
    const view = clientView(request('127.0.0.1', { Forwarded: 'for=203.0.113.9;proto=http, for="[2001:db8::7]:4711";proto=https;host="portal.example:8443", for=10.0.0.2' }), proxies);
    expect(view).toEqual({ address: '2001:db8::7', origin: 'https://portal.example:8443' });
    expect(clientView(request('127.0.0.1', { Forwarded: 'For=198.51.100.7;Proto=HTTPS' }), proxies)).toEqual({ address: '198.51.100.7', origin: 'https://portal.example' });
    // Both present: the one nginx appends to wins over one it passes through.
    expect(clientView(request('127.0.0.1', { Forwarded: 'for=203.0.113.9', 'X-Forwarded-For': '198.51.100.7' }), proxies).address).toBe('198.51.100.7');
  });

  it('rebuilds the origin the browser used from X-Forwarded-Proto and X-Forwarded-Host', () => {
    const via = (headers: Record<string, string>) => clientView(request('127.0.0.1', headers, 'http://localhost/staff/login/'), proxies).origin;
    expect(via({ 'X-Forwarded-Proto': 'https' })).toBe('https://localhost');
    expect(via({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'portal.example:8443' })).toBe('https://portal.example:8443');
    expect(via({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'portal.example:443' })).toBe('https://portal.example');
    expect(via({ 'X-Forwarded-Proto': 'https, http' })).toBe('https://localhost');
    // Malformed: the request's own.
    expect(via({ 'X-Forwarded-Proto': 'javascript' })).toBe('http://localhost');
    expect(via({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example/x' })).toBe('http://localhost');
    expect(via({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'a@evil.example' })).toBe('http://localhost');
  });
});

describe('the trailing-slash redirect', () => {
  it('stays on this site whatever the path starts with', () => {
    expect(directoryRedirect('http://localhost:4321/items/x?y=1')).toBe('/items/x/?y=1');
    expect(directoryRedirect('http://localhost:4321//127.0.0.2:4599/phish?x=1')).toBe('/127.0.0.2:4599/phish/?x=1');
    expect(directoryRedirect('http://localhost:4321///evil.example')).toBe('/evil.example/');
    expect(directoryRedirect('http://localhost:4321/\\evil.example')).toBe('/evil.example/');
    expect(directoryRedirect('http://localhost:4321/%5Cevil.example')).toBe('/%5Cevil.example/');
  });
});
