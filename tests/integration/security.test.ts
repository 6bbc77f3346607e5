/**
 * Access control on every staff route, and the security headers of every kind
 * of response, on a real libSQL file.
 *
 * Staff routes are read from the app's own route table (`app.routes`): every
 * route under /staff/ and /api/staff/, so a route added later is covered
 * without touching this file (a new path parameter must be given a value in
 * `concrete`, and a new state-changing route a valid body in `BODIES`, or the
 * positive control fails). For each route:
 *   (a) without a session, with a forged cookie and with an expired session →
 *       refused (401 in the API's error format; pages redirect to the login);
 *   (b) a `viewer` on a state-changing route → 403;
 *   (c) a `handler` of another unit on a route about a complaint (or one of its
 *       photos) assigned to unit B → refused, nothing of the complaint shown;
 *       a handler on an admin-only route → 403;
 *   (d) an admin's valid session with no CSRF token, a wrong one, another
 *       session's, or a foreign or opaque Origin → 403;
 * and after every refusal nothing in the database has changed. Finally
 * (e) the same request with the right session, token and origin goes
 * through, so each refusal above is the guard's doing and not a broken request.
 *
 * Headers: an HTML page, JSON, 404s (API, page, unrouted), 4xx errors (API and
 * page), a redirect, Open311 XML, CSV, a 500 and the 503s without a database,
 * in development and in production: a CSP without 'unsafe-inline' and with
 * frame-ancestors 'none', nosniff, a Referrer-Policy, X-Frame-Options, and HSTS
 * only in production. dist/client/_headers (scripts/write-headers.ts, for Cloudflare)
 * must carry the same values as the app.
 *
 * Why: production readiness — the staff area holds reporters' contact details
 * and decides what is published.
 */
import { createSiteApp } from '../support/site.ts';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { complaints, staffUsers } from '../../db/schema.ts';
import { hashPassword } from '../../functions/crypto.ts';
import { headersFile } from '../../scripts/write-headers.ts';
import { memoryPhotoStore, testApi, testReference, type TestApi } from '../support/api.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const PASSWORD = 'correct horse battery staple';
const NOTICE = { itemId: 'wuwei-2020-01', title: '测试用公示', noticeFrom: '2026-11-01', noticeTo: '2026-11-30', signedOffOn: null, objectionContact: null };
const ORIGIN = 'http://localhost';
const JPEG = new Uint8Array(readFileSync(new URL('../fixtures/photos/flower-of-life.jpg', import.meta.url)));
/** What the complaint of unit B holds that no one outside unit B (or admins) may see. */
const SECRET = { phone: '13912345678', description: '夜间工厂烟囱冒黑烟，气味刺鼻，持续约两小时。' };

// ---------------------------------------------------------------------------
// The route table
// ---------------------------------------------------------------------------

interface Route {
  method: string;
  path: string;
}
/** Every staff route of the app (middleware and wildcards left out), read from its route table. */
const ROUTES: Route[] = await (async () => {
  const api = await testApi();
  const seen = new Map<string, Route>();
  for (const r of api.app.routes) {
    if (!(r.path.startsWith('/staff/') || r.path.startsWith('/api/staff/')) || r.path.includes('*') || r.method === 'ALL') continue;
    seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  api.close();
  return [...seen.values()];
})();
const label = (r: Route) => `${r.method} ${r.path}`;

/** Where a session starts: open to everyone (tested for login CSRF separately). */
const ENTRY = new Set(['POST /api/staff/login', 'GET /staff/login/', 'POST /staff/login/']);
/** Ending one's own session: any role may. */
const SELF = new Set(['POST /api/staff/logout', 'POST /staff/logout/']);
/** Admin-only by nature, whoever the complaint belongs to. */
const ADMIN_ONLY = (r: Route) => r.path.startsWith('/staff/objections/:') || r.path.endsWith('/publish') || r.path.startsWith('/staff/outbox/') || r.path.startsWith('/staff/error-reports/:');
const isApi = (r: Route) => r.path.startsWith('/api/');
const changesState = (r: Route) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method);
/** Routes about one complaint (or its photo), where a handler's unit decides. */
const aboutComplaint = (r: Route) => /^\/staff\/(complaints|photos)\/:/.test(r.path);

/** A request each route accepts from an admin (the positive control); {} when none is needed. */
const BODIES: Record<string, Record<string, string>> = {
  'POST /staff/complaints/:id/action': { action: 'close', verdict: '属实', reply: '已责令停产整改。' },
  'POST /staff/complaints/:id/enforcement': { ordered: '1', fineYuan: '50000' },
  'POST /staff/complaints/:id/publish': { do: 'publish', summary: '反映企业夜间排放黑烟。', investigation: '经查属实。', result: '责令整改。' },
  'POST /staff/objections/:id': { disposition: '经现场核查，异议不成立。' },
  'POST /staff/error-reports/:id': { decision: 'declined', resolution: '经核对来源文件，页面所列时限无误。' },
  'POST /staff/complaints/:id/items': { do: 'unrelated' },
};

// ---------------------------------------------------------------------------
// A database with staff of every role, a complaint of unit B with a photo, and an objection
// ---------------------------------------------------------------------------

let api: TestApi;
let app: ReturnType<typeof createSiteApp>;
/** The same database, nine hours later: every session has expired. */
let later: ReturnType<typeof createSiteApp>;
let photos: ReturnType<typeof memoryPhotoStore>;
type Session = { cookie: string; csrf: string };
const staff = {} as Record<'admin' | 'viewer' | 'handlerA' | 'handlerB', Session>;
const ids = { complaint: '', photo: '', objection: '', code: '', errorReport: '' };
/** One PBKDF2 hash for every account (hashing is slow on purpose). */
const passwordHash = hashPassword(PASSWORD);

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const URLENCODED = { 'Content-Type': 'application/x-www-form-urlencoded' };

async function login(username: string): Promise<Session> {
  const res = await app.request('/staff/login/', { method: 'POST', headers: URLENCODED, body: form({ username, password: PASSWORD }) });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
  const me = (await (await app.request('/api/staff/me', { headers: { Cookie: cookie } })).json()) as { csrfToken: string };
  return { cookie, csrf: me.csrfToken };
}

/**
 * A fresh database for the tests of the enclosing describe: staff of every
 * role, signed in; a named, consenting complaint with a photo, assigned to
 * unit B and partly closed by its handler; an objection awaiting its disposition.
 */
function freshWorld() {
  beforeAll(async () => {
    photos = memoryPhotoStore();
    const reference = testReference();
    reference.notices.push(NOTICE);
    api = await testApi({ photos, reference, now: () => NOW });
    app = api.app;
    const deps = { db: api.db, contactKey: api.contactKey, clientSalt: 'test-salt', reference, photos, clientAddress: () => '198.51.100.7' };
    later = createSiteApp({ production: false, complaints: { ...deps, now: () => new Date(NOW.getTime() + 9 * 3600_000) } });
    const hash = await passwordHash;
    await api.db.insert(staffUsers).values([
      { username: 'admin', displayName: '管理员', role: 'admin', unit: null },
      { username: 'viewer', displayName: '只读', role: 'viewer', unit: null },
      { username: 'handlerA', displayName: '住建经办', role: 'handler', unit: 'wuwei-housing' },
      { username: 'handlerB', displayName: '生态经办', role: 'handler', unit: 'wuwei-ecology' },
    ].map((a) => ({ ...a, role: a.role as 'admin' | 'viewer' | 'handler', id: crypto.randomUUID(), passwordHash: hash, createdAt: NOW.toISOString() })));
    for (const who of ['admin', 'viewer', 'handlerA', 'handlerB'] as const) staff[who] = await login(who);

    const body = new FormData();
    for (const [k, v] of Object.entries({ pollutionTypes: '大气', region: 'gansu-wuwei-liangzhou', address: '凉州区某工业园区东侧', observedAt: '2026-11-20', description: SECRET.description, anonymous: '0', name: '张三', phone: SECRET.phone, consentPublish: '1', formKey: 'security-form-key-0001' })) body.append(k, v);
    body.append('photos', new File([JPEG], 'site.jpg', { type: 'image/jpeg' }));
    const submitted = await app.request('/complaints/new/', { method: 'POST', body });
    expect(submitted.status).toBe(303);
    ids.code = submitted.headers.get('Location')!.match(/track\/([A-Z0-9]{13})\//)![1]!;
    const row = (await api.db.$client.execute({ sql: 'select c.id, p.id as photo from complaints c join complaint_photos p on p.complaint_id = c.id where c.tracking_code = ?', args: [ids.code] })).rows[0]!;
    ids.complaint = String(row.id);
    ids.photo = String(row.photo);
    const step = async (who: keyof typeof staff, fields: Record<string, string>) =>
      expect((await app.request(`/staff/complaints/${ids.complaint}/action`, { method: 'POST', headers: { ...URLENCODED, Cookie: staff[who].cookie }, body: form({ _csrf: staff[who].csrf, ...fields }) })).status).toBe(303);
    await step('admin', { action: 'accept' });
    await step('admin', { action: 'assign', unit: 'wuwei-ecology' });
    await step('handlerB', { action: 'close-partially', verdict: '部分属实', reply: '已要求企业整改，正在复查。' });

    const objection = await app.request(`/objections/${NOTICE.itemId}/`, { method: 'POST', headers: URLENCODED, body: form({ text: '整改后排污口仍有污水直排，十一月二十日拍到。', formKey: 'security-objection-01' }) });
    expect(objection.status).toBe(303);
    ids.objection = String((await api.db.$client.execute('select id from objections')).rows[0]!.id);

    const report = await app.request('/api/error-reports', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ page: '/items/wuwei-2020-10/', description: '第10项的整改时限与来源文件所列不符。' }) });
    expect(report.status).toBe(201);
    ids.errorReport = String((await api.db.$client.execute('select id from error_reports')).rows[0]!.id);
  });
  afterAll(() => api.close());
}

/** The route's path with its parameters filled in. */
function concrete(r: Route): string {
  return r.path.replace(/:([A-Za-z]+)(\{[^}]*\})?/g, (_, name: string) => {
    if (r.path.startsWith('/staff/photos/')) return ids.photo;
    if (r.path.startsWith('/staff/objections/')) return ids.objection;
    if (r.path.startsWith('/staff/error-reports/')) return ids.errorReport;
    if (name === 'id') return ids.complaint;
    throw new Error(`${label(r)}: give :${name} a value in concrete() (security.test.ts)`);
  });
}

/**
 * Sends the route's request as someone: a session cookie, a CSRF token (as
 * the API's header or the form's field; null: none) and an Origin.
 */
function send(r: Route, as: { cookie?: string; token?: string | null; origin?: string } = {}, target = app) {
  const headers: Record<string, string> = {};
  if (as.cookie) headers.Cookie = as.cookie;
  if (as.origin) headers.Origin = as.origin;
  const url = `${ORIGIN}${concrete(r)}`;
  if (!changesState(r)) return target.request(url, { method: r.method, headers });
  const fields = BODIES[label(r)] ?? {};
  if (isApi(r)) {
    if (as.token) headers['X-CSRF-Token'] = as.token;
    return target.request(url, { method: r.method, headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(fields) });
  }
  return target.request(url, { method: r.method, headers: { ...headers, ...URLENCODED }, body: form({ ...fields, ...(as.token ? { _csrf: as.token } : {}) }) });
}

/** Everything a refused request must leave alone (rate-limit counters aside). */
async function snapshot() {
  const tables = ['complaints', 'complaint_events', 'complaint_photos', 'objections', 'audit_log', 'staff_sessions', 'staff_users', 'search_documents'];
  const rows = await Promise.all(tables.map(async (t) => [t, (await api.db.$client.execute(`select * from ${t} order by rowid`)).rows]));
  return JSON.stringify({ ...Object.fromEntries(rows), photos: photos.stored.size });
}

/**
 * Sends a request that must be refused with one of `statuses`, changing
 * nothing. The reporter's phone is never shown; the complaint itself only to
 * those who may read it (`mayRead`: admins, viewers and its unit's handler).
 */
async function expectRefused(why: string, request: () => Response | Promise<Response>, statuses: number[], mayRead = false) {
  const before = await snapshot();
  const res = await request();
  const text = await res.text();
  expect(statuses, `${why}: got ${res.status} ${text.slice(0, 200)}`).toContain(res.status);
  expect(text, `${why}: shows the reporter's phone`).not.toContain(SECRET.phone);
  if (!mayRead) expect(text, `${why}: shows the complaint`).not.toContain(SECRET.description);
  expect(await snapshot(), `${why}: changed something`).toBe(before);
  return { res, text };
}

/** Unauthenticated: the API answers 401 in its error format; pages send the browser to the login. */
async function expectUnauthenticated(r: Route, why: string, request: () => Response | Promise<Response>) {
  const { res, text } = await expectRefused(why, request, isApi(r) ? [401] : [303]);
  if (isApi(r)) {
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(JSON.parse(text)).toEqual({ error: { code: 'unauthenticated', message: expect.stringMatching(/[\u4e00-\u9fff]/) } });
  } else {
    expect(res.headers.get('Location')).toBe('/staff/login/');
  }
}

// ---------------------------------------------------------------------------
// Every staff route
// ---------------------------------------------------------------------------

describe('the staff route table', () => {
  it('is read from the app and holds the known routes', () => {
    const found = ROUTES.map(label);
    expect(found).toEqual(
      expect.arrayContaining([
        'POST /api/staff/login', 'GET /api/staff/me', 'POST /api/staff/logout', 'GET /staff/login/', 'POST /staff/login/', 'POST /staff/logout/', 'GET /staff/',
        'GET /staff/complaints/:id/', 'POST /staff/complaints/:id/action', 'POST /staff/complaints/:id/contact', 'POST /staff/complaints/:id/enforcement',
        'POST /staff/complaints/:id/publish', 'GET /staff/photos/:id/', 'GET /staff/objections/', 'POST /staff/objections/:id', 'GET /staff/outbox/',
        'GET /staff/error-reports/', 'POST /staff/error-reports/:id',
      ]),
    );
  });
});

const GUARDED = ROUTES.filter((r) => !ENTRY.has(label(r)));

describe.each(GUARDED.map((r) => [label(r), r] as const))('%s', (_label, r) => {
  freshWorld();
  it('(a) refuses requests without a valid session', async () => {
    await expectUnauthenticated(r, 'no cookie', () => send(r, { origin: ORIGIN }));
    await expectUnauthenticated(r, 'forged cookie', () => send(r, { cookie: 'portal_session=forged-session-token-0000000000000000', token: 'forged', origin: ORIGIN }));
    await expectUnauthenticated(r, 'expired session', () => send(r, { cookie: staff.admin.cookie, token: staff.admin.csrf, origin: ORIGIN }, later));
  });

  it.runIf(changesState(r) && !SELF.has(label(r)))('(b) refuses a viewer (403)', async () => {
    await expectRefused('viewer', () => send(r, { cookie: staff.viewer.cookie, token: staff.viewer.csrf, origin: ORIGIN }), [403], true);
  });

  it.runIf(aboutComplaint(r) || ADMIN_ONLY(r))('(c) refuses a handler of another unit, and handlers where only admins may act', async () => {
    // A complaint's routes: unit A's handler is told there is no such complaint; admin-only routes: 403.
    const expected = ADMIN_ONLY(r) ? [403, 404] : [404];
    await expectRefused('handler of unit A', () => send(r, { cookie: staff.handlerA.cookie, token: staff.handlerA.csrf, origin: ORIGIN }), expected);
    if (ADMIN_ONLY(r)) await expectRefused('handler of unit B', () => send(r, { cookie: staff.handlerB.cookie, token: staff.handlerB.csrf, origin: ORIGIN }), [403], true);
  });

  it.runIf(changesState(r))('(d) refuses a missing, wrong or foreign CSRF token and a foreign origin (403)', async () => {
    const admin = { cookie: staff.admin.cookie, origin: ORIGIN };
    await expectRefused('no CSRF token', () => send(r, { ...admin, token: null }), [403]);
    await expectRefused('wrong CSRF token', () => send(r, { ...admin, token: `${staff.admin.csrf}x` }), [403]);
    await expectRefused('another session’s CSRF token', () => send(r, { ...admin, token: staff.viewer.csrf }), [403]);
    await expectRefused('foreign Origin', () => send(r, { ...admin, token: staff.admin.csrf, origin: 'https://evil.example' }), [403]);
    await expectRefused('look-alike Origin', () => send(r, { ...admin, token: staff.admin.csrf, origin: 'http://localhost.evil.example' }), [403]);
    await expectRefused('opaque Origin', () => send(r, { ...admin, token: staff.admin.csrf, origin: 'null' }), [403]);
  });

  it('(e) lets the right session, token and origin through (so the refusals are the guards’ doing)', async () => {
    const res = await send(r, { cookie: staff.admin.cookie, token: staff.admin.csrf, origin: ORIGIN });
    if (SELF.has(label(r))) {
      expect([204, 303]).toContain(res.status);
      expect((await app.request('/api/staff/me', { headers: { Cookie: staff.admin.cookie } })).status).toBe(401);
    } else {
      expect([200, 303], `${res.status} ${(await res.clone().text()).slice(0, 300)}`).toContain(res.status);
      expect(res.headers.get('Location') ?? '').not.toBe('/staff/login/');
    }
  });
});

describe('what each role sees', () => {
  freshWorld();
  it('a handler’s queue lists only their unit’s complaints; the other unit’s handler and admins see it', async () => {
    // The queue names complaints by their public reference number; the reporter's tracking code is not shown to staff.
    const code = (await api.db.query.complaints.findFirst({ where: eq(complaints.id, ids.complaint) }))!.reference!;
    const queue = async (who: keyof typeof staff) => (await app.request('/staff/', { headers: { Cookie: staff[who].cookie } })).text();
    expect(await queue('handlerA')).not.toContain(code);
    expect(await queue('handlerB')).toContain(code);
    expect(await queue('admin')).toContain(code);
    expect(await queue('admin')).not.toContain(ids.code.match(/.{1,4}/g)!.join('-'));
    expect((await app.request(`/staff/complaints/${ids.complaint}/`, { headers: { Cookie: staff.handlerB.cookie } })).status).toBe(200);
    expect((await app.request(`/staff/photos/${ids.photo}/`, { headers: { Cookie: staff.handlerB.cookie } })).status).toBe(200);
  });

  it('the login itself refuses a foreign origin (login CSRF), and the API login a form-encodable body', async () => {
    await expectRefused('cross-site login form', () => app.request(`${ORIGIN}/staff/login/`, { method: 'POST', headers: { ...URLENCODED, Origin: 'https://evil.example' }, body: form({ username: 'admin', password: PASSWORD }) }), [403, 422]);
    // A cross-site page can post text/plain without a preflight; the API login takes JSON only.
    await expectRefused('API login as text/plain', () => app.request(`${ORIGIN}/api/staff/login`, { method: 'POST', headers: { 'Content-Type': 'text/plain', Origin: 'https://evil.example' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) }), [415]);
  });
});

// ---------------------------------------------------------------------------
// Security headers
// ---------------------------------------------------------------------------

/** A CSP header value as directive → sources. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => { const [name, ...sources] = d.split(/\s+/); return [name!.toLowerCase(), sources]; }));
}

function expectSecurityHeaders(res: Response, production: boolean, what: string) {
  const h = (name: string) => res.headers.get(name);
  const csp = h('Content-Security-Policy');
  expect(csp, `${what}: CSP`).toBeTruthy();
  const policy = directives(csp!);
  expect(csp, `${what}: CSP without unsafe-inline`).not.toMatch(/'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'/);
  expect(policy.get('frame-ancestors'), `${what}: frame-ancestors`).toEqual(["'none'"]);
  expect(policy.get('default-src'), `${what}: default-src`).toEqual(["'self'"]);
  expect(policy.get('object-src'), `${what}: object-src`).toEqual(["'none'"]);
  expect(policy.get('script-src'), `${what}: script-src`).not.toContain('*');
  expect(h('X-Content-Type-Options'), `${what}: nosniff`).toBe('nosniff');
  // Tracking pages (whose address holds the reporter's secret) send no Referer at all: stricter still.
  expect(['strict-origin-when-cross-origin', 'no-referrer'], `${what}: Referrer-Policy`).toContain(h('Referrer-Policy'));
  expect(h('X-Frame-Options'), `${what}: X-Frame-Options`).toBe('DENY');
  if (production) expect(Number(h('Strict-Transport-Security')?.match(/max-age=(\d+)/)?.[1]), `${what}: HSTS of a year or more`).toBeGreaterThanOrEqual(31_536_000);
  else expect(h('Strict-Transport-Security'), `${what}: no HSTS over local HTTP`).toBeNull();
}

describe('security headers', () => {
  freshWorld();
  /** The app, with or without a database, in development or production mode. */
  const appFor = (production: boolean, database = true) =>
    createSiteApp({ production, ...(database ? { complaints: { db: api.db, contactKey: api.contactKey, clientSalt: 's', reference: testReference(), clientAddress: () => '198.51.100.7', now: () => NOW } } : {}) });

  const RESPONSES: [string, number, (production: boolean) => Response | Promise<Response>][] = [
    ['an HTML page', 200, (p) => appFor(p).request('/complaints/new/')],
    ['JSON', 200, (p) => appFor(p).request('/api/health')],
    ['CSV', 200, (p) => appFor(p).request('/api/complaints/published?format=csv')],
    ['Open311 XML', 200, (p) => appFor(p).request('/open311/v2/services.xml')],
    ['a redirect', 303, (p) => appFor(p).request('/staff/')],
    ['an API 404', 404, (p) => appFor(p).request('/api/nothing')],
    ['a page 404', 404, (p) => appFor(p).request('/complaints/track/ABCDEFGHJKLMN/')],
    ['an unrouted path (404)', 404, (p) => appFor(p).request('/nothing-here')],
    ['an API 4xx error', 415, (p) => appFor(p).request('/api/complaints', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' })],
    ['a page 4xx error', 422, (p) => appFor(p).request('/complaints/track/?code=abc')],
    ['an Open311 4xx error', 400, (p) => appFor(p).request('/open311/v2/requests.json?status=maybe')],
    ['503 without a database (API)', 503, (p) => appFor(p, false).request('/api/complaints', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })],
    ['503 without a database (page)', 503, (p) => appFor(p, false).request('/complaints/new/')],
    ['503 without a database (Open311)', 503, (p) => appFor(p, false).request('/open311/v2/services.json')],
    ['500 when the database fails', 500, async (p) => {
      const broken = await testApi();
      broken.db.$client.close();
      const app = createSiteApp({ production: p, complaints: { db: broken.db, contactKey: broken.contactKey, clientSalt: 's', reference: testReference(), clientAddress: () => 'x' } });
      const error = console.error;
      console.error = () => {};
      try {
        return await app.request('/api/complaints/ABCDEFGHJKLMN');
      } finally {
        console.error = error;
        broken.close();
      }
    }],
  ];

  describe.each([false, true])('production: %s', (production) => {
    it.each(RESPONSES)('%s', async (what, status, request) => {
      const res = await request(production);
      expect(res.status).toBe(status);
      expectSecurityHeaders(res, production, what);
    });
  });

  it('client/_headers (Cloudflare) carries the same headers as the app in production', async () => {
    const text = headersFile();
    const blocks = new Map(
      text.trim().split(/\n\s*\n/).map((block) => {
        const [path, ...lines] = block.split('\n');
        return [path!.trim(), new Map(lines.map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]; }))];
      }),
    );
    const all = blocks.get('/*')!;
    expect(all, 'a block for every path').toBeDefined();
    const res = await appFor(true).request('/complaints/new/');
    for (const name of ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options', 'referrer-policy']) {
      expect(all.get(name), `_headers: ${name}`).toBeTruthy();
    }
    expect(directives(all.get('content-security-policy')!)).toEqual(directives(res.headers.get('Content-Security-Policy')!));
    // Every header the file sets for all paths is the app's own value.
    for (const [name, value] of all) expect(value, `_headers: ${name}`).toBe(res.headers.get(name));
  });
});
