/**
 * The app behind a reverse proxy, on a real libSQL file, wired as the Node
 * entry wires it (functions/node.ts): the socket peer from @hono/node-server's
 * connection info, forwarding headers believed only from TRUSTED_PROXIES, and
 * the staff area's origin check against SITE_URL or the forwarded origin.
 */
import { createSiteApp } from '../support/site.ts';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { type AppOptions } from '../../functions/app.ts';
import { parseTrustedProxies, proxyAware } from '../../functions/client/proxy.ts';
import { saltedHash } from '../../functions/crypto.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { testApi, testReference, validComplaint, type TestApi } from '../support/api.ts';

let api: TestApi | undefined;
afterEach(() => api?.close());
const PASSWORD = 'correct horse battery staple';
const SALT = 'proxy-test-salt';

/** The app as node.ts builds it, with TRUSTED_PROXIES = `trusted`. */
async function behindProxy(trusted: string, options: Partial<AppOptions> = {}, intakeMax = 2) {
  api = await testApi();
  // The socket peer as Astro's Node adapter reads it and src/server/portal.ts passes it on.
  const client = proxyAware(parseTrustedProxies(trusted), (c) => (c.env as { peer?: string } | undefined)?.peer ?? 'unknown');
  await createStaffUser(api.db, { username: 'admin', displayName: '管理员', role: 'admin', password: PASSWORD });
  const app = createSiteApp({
    production: true,
    ...options,
    complaints: {
      db: api.db,
      contactKey: api.contactKey,
      clientSalt: SALT,
      reference: testReference(),
      clientAddress: client.clientAddress,
      requestOrigin: client.requestOrigin,
      limits: { intake: { max: intakeMax, windowSeconds: 600 } },
    },
  });
  /**
   * A request as it reaches the Node server: from socket peer `peer`, to `url` (http://, the Host
   * header). Pages go through the built site over a real socket, whose peer is this machine.
   */
  const send = (peer: string, url: string, init: RequestInit = {}) => {
    if (/^\/(staff|complaints|objections)\//.test(new URL(url).pathname) && peer !== '127.0.0.1') throw new Error('页面请求经由本机套接字发出，对端只能是 127.0.0.1');
    return app.request(url, init, { peer });
  };
  return { app, send };
}

const complaint = (i: number, headers: Record<string, string>) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(validComplaint({ address: `凉州区某工业园区 ${i} 号` })),
});

describe('the client address behind reverse proxies', () => {
  it('gives each client forwarded by a trusted proxy its own intake budget, whatever it forges', async () => {
    const { send } = await behindProxy('127.0.0.1, ::1');
    const via = (i: number, xff: string) => send('127.0.0.1', 'http://portal.example/api/complaints', complaint(i, { 'X-Forwarded-For': xff }));
    expect((await via(1, '198.51.100.7')).status).toBe(201);
    expect((await via(2, '198.51.100.7')).status).toBe(201);
    expect((await via(3, '198.51.100.7')).status).toBe(429);
    // The proxy appends the real address; what the client sent stays on the left, unread.
    expect((await via(4, '203.0.113.99, 198.51.100.7')).status).toBe(429);
    expect((await via(5, '198.51.100.8')).status).toBe(201);
    // Forwarded (RFC 7239) from the same proxy is read when there is no X-Forwarded-For.
    expect((await send('::1', 'http://portal.example/api/complaints', complaint(6, { Forwarded: 'for="[2001:db8::1]:4711";proto=https' }))).status).toBe(201);
    // What is stored is a salted hash of the client's address, not of the proxy's.
    const row = await api!.db.query.complaints.findFirst({ where: eq(complaints.address, '凉州区某工业园区 5 号') });
    expect(row!.clientHash).toBe(await saltedHash(SALT, '198.51.100.8'));
  });

  it('ignores forwarding headers from a peer that is not a trusted proxy', async () => {
    const { send } = await behindProxy('127.0.0.1');
    const direct = (i: number, xff: string) => send('192.0.2.10', 'http://portal.example/api/complaints', complaint(i, { 'X-Forwarded-For': xff, Forwarded: `for=${xff}` }));
    expect((await direct(1, '198.51.100.1')).status).toBe(201);
    expect((await direct(2, '198.51.100.2')).status).toBe(201);
    expect((await direct(3, '198.51.100.3')).status).toBe(429);
  });

  it('takes the proxy as the client when its header cannot be read', async () => {
    const { send } = await behindProxy('127.0.0.1');
    expect((await send('127.0.0.1', 'http://portal.example/api/complaints', complaint(1, { 'X-Forwarded-For': 'not-an-address' }))).status).toBe(201);
    const row = await api!.db.query.complaints.findFirst();
    expect(row!.clientHash).toBe(await saltedHash(SALT, '127.0.0.1'));
  });
});

const loginForm = new URLSearchParams({ username: 'admin', password: PASSWORD });
const URLENCODED = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('the staff origin check behind a TLS-terminating proxy', () => {
  it('accepts the https origin the browser used, as a trusted proxy forwards it, and still refuses a foreign one', async () => {
    const { send } = await behindProxy('127.0.0.1');
    // nginx: Host $host, X-Forwarded-Proto $scheme; the Node server sees http://portal.example/…
    const forwarded = { 'X-Forwarded-For': '198.51.100.7', 'X-Forwarded-Proto': 'https' };
    const login = await send('127.0.0.1', 'http://portal.example/staff/login/', { method: 'POST', headers: { ...URLENCODED, ...forwarded, Origin: 'https://portal.example' }, body: loginForm });
    expect(login.status).toBe(303);
    expect(login.headers.get('Location')).toBe('/staff/');
    const cookie = login.headers.get('Set-Cookie')!.split(';')[0]!;
    const me = (await (await send('127.0.0.1', 'http://portal.example/api/staff/me', { headers: { Cookie: cookie, ...forwarded } })).json()) as { csrfToken: string };
    const logoutFrom = (origin: string, peer = '127.0.0.1') =>
      send(peer, 'http://portal.example/api/staff/logout', { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': me.csrfToken, Origin: origin, ...forwarded } });
    expect((await logoutFrom('https://evil.example')).status).toBe(403);
    expect((await logoutFrom('http://portal.example')).status).toBe(403);
    // The same headers from a peer that is no trusted proxy are not believed.
    expect((await logoutFrom('https://portal.example', '192.0.2.10')).status).toBe(403);
    expect((await logoutFrom('https://portal.example')).status).toBe(204);

    const foreign = await send('127.0.0.1', 'http://portal.example/staff/login/', { method: 'POST', headers: { ...URLENCODED, ...forwarded, Origin: 'https://evil.example' }, body: loginForm });
    expect(foreign.status).toBe(422);
    expect(await foreign.text()).toContain('请求来源不符');
  });

  it('with SITE_URL set, accepts posts from its origin only', async () => {
    const { send } = await behindProxy('', { siteUrl: 'https://portal.example/' });
    // No trusted proxy at all: the request URL says http://127.0.0.1:4321, SITE_URL decides.
    const post = (origin: string) => send('127.0.0.1', 'http://127.0.0.1:4321/staff/login/', { method: 'POST', headers: { ...URLENCODED, Origin: origin }, body: loginForm });
    expect((await post('http://127.0.0.1:4321')).status).toBe(422);
    expect((await post('https://evil.example')).status).toBe(422);
    const login = await post('https://portal.example');
    expect(login.status).toBe(303);
    const cookie = login.headers.get('Set-Cookie')!.split(';')[0]!;
    const me = (await (await send('127.0.0.1', 'http://127.0.0.1:4321/api/staff/me', { headers: { Cookie: cookie } })).json()) as { csrfToken: string };
    const logout = (origin: string) => send('127.0.0.1', 'http://127.0.0.1:4321/api/staff/logout', { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': me.csrfToken, Origin: origin } });
    expect((await logout('http://127.0.0.1:4321')).status).toBe(403);
    expect((await logout('https://portal.example')).status).toBe(204);
  });
});
