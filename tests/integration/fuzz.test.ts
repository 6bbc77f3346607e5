/**
 * Generated malformed requests against every public endpoint of the Hono app,
 * on a real libSQL file (fast-check with a fixed seed, so every run sends the
 * same requests and a failure can be replayed).
 *
 * Covered: the JSON intake (POST /api/complaints), the public view
 * (GET /api/complaints/:code), /api/search with every parameter,
 * /api/complaints/published, /api/openapi.json, /api/health and unknown API
 * paths and methods; the complaint form (POST /complaints/new/) as urlencoded
 * and multipart — broken multipart, huge fields, bad photos, invalid UTF-8,
 * wrong content types; tracking (/complaints/track/, /complaints/track/:code/)
 * and the reporter's dispute; the public list /complaints/ and the public
 * record pages /complaints/:reference/; objections
 * (/objections/:item/); Open311 (requests GET/POST — lat/long given instead
 * of an address, reads with and without a valid api_key, reference numbers as
 * typed and tracking codes where a reference belongs — services, discovery);
 * staff login (POST /api/staff/login and the /staff/login/ form); subscriptions (POST /api/subscriptions,
 * the /follow/ form, its confirmation and unsubscribe links with forged tokens).
 *
 * What is generated: wrong types, missing and extra (mass-assignment) fields,
 * huge fields, invalid UTF-8 bytes (raw and percent-encoded), wrong or missing
 * content types, SQL and FTS5 syntax, HTML/script in every text field, control
 * characters and lone surrogates, impossible dates and dates at the ends of
 * the Date range, very long and very many query parameters. Every POST is
 * built to be refused: a valid request gets one to three "breakers", each of
 * which alone makes it invalid; a few named cases follow the generated ones.
 *
 * Why: production readiness. After each request:
 *   - never a 5xx;
 *   - an API refusal is the documented `{ error: { code, message, fields? } }`,
 *     a page refusal a 4xx HTML page, an Open311 refusal the spec's
 *     `[{ code, description }]` (or `<errors>` for .xml);
 *   - nothing was stored: complaints and their states, events, photos (rows
 *     and the store), objections, sessions, staff accounts, the search index and
 *     the audit log (failed logins excepted) are unchanged;
 *   - no page reflects an HTML payload unescaped.
 * The number of requests sent is printed (with a count per endpoint and
 * status, to show which checks the requests reached) and must be at least 1,000.
 */
import { createSiteApp } from '../support/site.ts';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from 'hono';
import { createStaffUser } from '../../functions/staff.ts';
import { PHONE, POLLUTION_TYPES } from '../../src/domain/complaint.ts';
import { IDEMPOTENCY_KEY } from '../../functions/complaints.ts';
import { memoryPhotoStore, postJson, testApi, testReference, validComplaint, type TestApi, validComplaintForm } from '../support/api.ts';
import { HTML_PAYLOADS, markupProblems } from '../support/markup.ts';

const SEED = 20261123;
const NOW = new Date('2026-11-23T04:00:00Z');
const OPEN311_KEY = 'fuzz-open311-key-0001';
const PASSWORD = 'correct horse battery staple';
/** A notice window made up for the test (the real content has none open). */
const NOTICE = { itemId: 'wuwei-2020-01', title: '测试用公示', noticeFrom: '2026-11-01', noticeTo: '2026-11-30', signedOffOn: null, objectionContact: null };
/** Rate limits out of the way: refusals here must come from validation, not from 429. */
const NO_LIMIT = { max: 1_000_000_000, windowSeconds: 600 };
const JPEG = new Uint8Array(readFileSync(new URL('../fixtures/photos/flower-of-life.jpg', import.meta.url)));

// ---------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------

const SQL_PAYLOADS = [
  "' OR '1'='1",
  "'; DROP TABLE complaints; --",
  '1 UNION SELECT password_hash FROM staff_users--',
  "\\'; --",
  "%' AND 1=1 --",
  '") OR 1=1 --',
];
const FTS5_PAYLOADS = ['"', '"unbalanced', 'a NEAR b', 'NEAR(污水 排放, 2)', 'a AND b OR NOT c', '*', '污*', '^污水', 'title:污水', '{title body}:x', '(a OR', '-a', '+a', 'a:b:c', '""""', "'", 'OR', 'NOT', 'AND AND'];
const CONTROL_PAYLOADS = ['\u0000', 'a\u0000b', '\u0001\u0002\u001b[31m', '\r\n\r\n', '\u202eevil', '\ufeff', '\u200b\u200b', '\ud800', '\udfff\ud800', '\uffff', '💩', 'e\u0301\u0301\u0301', '%00', '../../etc/passwd', '${7*7}{{7*7}}'];
const ALL_PAYLOADS = [...HTML_PAYLOADS, ...SQL_PAYLOADS, ...FTS5_PAYLOADS, ...CONTROL_PAYLOADS];

/** Percent-encodings that do not decode to UTF-8, used raw in paths, queries and urlencoded bodies. */
const BAD_PERCENT = ['%FF', '%FE%FF', '%C3%28', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%', '%%', '%ZZ', '%u0041', '%F4%90%80%80'];
/** Raw bytes that are not UTF-8. */
const BAD_BYTES = [[0xff], [0xfe, 0xff], [0xc3, 0x28], [0xe0, 0xa4], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]].map((b) => new Uint8Array(b));

/** encodeURIComponent, with lone surrogates (which it refuses) as U+FFFD, as a browser sends them. */
const enc = (s: string) => encodeURIComponent(s.toWellFormed());

const payload = fc.constantFrom(...ALL_PAYLOADS);
/** Any nasty text: payloads, arbitrary code points, lone surrogates, blanks, and huge repeats. */
const nasty: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: payload },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t\n') },
  { weight: 1, arbitrary: fc.tuple(payload, fc.integer({ min: 50, max: 2500 })).map(([p, n]) => p.repeat(n)) },
);
/** Nasty text that can travel in a header value (Latin-1, no CR/LF/NUL). */
const headerSafe = (s: string) => /^[\x20-\x7e]*$/.test(s) && s.trim() === s;
/** Any JSON value, of any type. */
const jsonJunk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nasty },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(nasty, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), nasty, { maxKeys: 3 }) },
);
/** A path segment: never empty and never a dot segment (which the URL parser would resolve away). */
const segment = fc.oneof(
  { weight: 4, arbitrary: nasty.filter((s) => s !== '' && s !== '.' && s !== '..' && s.length < 5000).map(enc) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_PERCENT) },
);

const bytes = (text: string) => new TextEncoder().encode(text);
function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}
/** Puts invalid UTF-8 bytes where MARK stands in a text. */
const MARK = '\u0007MARK\u0007';
const withBadBytes = (text: string, bad: Uint8Array) => {
  const [before, ...rest] = text.split(MARK);
  return rest.reduce((acc, part) => concat(acc, bad, bytes(part)), bytes(before!));
};

/** A query string from pairs; values already encoded or deliberately raw. */
const queryOf = (pairs: [string, string][]) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '');
/** Query parameters: the endpoint's own names and junk names, nasty values, sometimes very many or very long. */
const queryPairs = (names: readonly string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(enc) }), fc.oneof({ weight: 4, arbitrary: nasty.map(enc) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_PERCENT) })), { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...names), fc.integer({ min: 20_000, max: 120_000 })).map(([k, n]): [string, string][] => [[k, 'x'.repeat(n)]]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...names), fc.integer({ min: 200, max: 2000 })).map(([k, n]): [string, string][] => Array.from({ length: n }, (_, i) => [k, `v${i}`])) },
  );

// ---------------------------------------------------------------------------
// Requests, expectations and the invariants checked after each one
// ---------------------------------------------------------------------------

/** How a refusal must look: the API's JSON, a page, or Open311's own format. */
type Format = 'api' | 'page' | 'open311-json' | 'open311-xml' | 'any';
interface FuzzRequest {
  method: string;
  path: string;
  headers?: Record<string, string> | undefined;
  body?: string | Uint8Array<ArrayBuffer> | FormData | undefined;
  /** Refusals (4xx) must be in this format. */
  format: Format;
  /** State-changing requests built to be refused: must be 4xx. GETs may also succeed. */
  refused: boolean;
}

let api: TestApi;
let app: ReturnType<typeof createSiteApp>;
let photos: ReturnType<typeof memoryPhotoStore>;
let regionIds: string[];
let submittedCode: string;
let submittedReference: string;
let closedCode: string;
let sent = 0;
/** Responses by endpoint family and status, printed at the end: shows which checks the requests reached. */
const statuses = new Map<string, number>();
const FAMILIES = ['/api/complaints/published', '/api/complaints/', '/api/complaints', '/api/search', '/api/openapi.json', '/api/staff/login', '/api/staff/', '/api/', '/complaints/new/', '/complaints/track/', '/complaints/', '/objections/', '/open311/v2/requests', '/open311/v2/services', '/open311/v2/', '/staff/login/', '/api/subscriptions', '/follow/confirm/', '/follow/unsubscribe/', '/follow/'];
const family = (path: string) => FAMILIES.find((f) => path.startsWith(f)) ?? path.split('?')[0]!.slice(0, 40);

/** Everything a refused request must leave alone. */
async function fingerprint() {
  const { rows } = await api.db.$client.execute(`select
    (select count(*) from complaints) as complaints,
    (select group_concat(tracking_code || ':' || state || ':' || updated_at || ':' || coalesce(published_at, ''), ',') from complaints) as states,
    (select count(*) from complaint_events) as events,
    (select count(*) from complaint_photos) as photo_rows,
    (select count(*) from objections) as objections,
    (select count(*) from staff_sessions) as sessions,
    (select count(*) from staff_users) as staff,
    (select count(*) from search_documents) as search_documents,
    (select group_concat(id || ':' || coalesce(confirmed_at, '') || ':' || coalesce(token_hash, ''), ',') from subscriptions) as subscriptions,
    (select count(*) from outbox) as outbox,
    (select count(*) from audit_log where action not in ('login_failed', 'login_throttled')) as audit`);
  return JSON.stringify({ ...rows[0], photoStore: photos.stored.size });
}

const describeRequest = (r: FuzzRequest) => {
  const body = r.body instanceof FormData ? `FormData(${[...r.body.keys()].join(',')})` : typeof r.body === 'string' ? r.body : r.body ? `${r.body.length} bytes` : '';
  return `${r.method} ${r.path.slice(0, 300)}${r.path.length > 300 ? '…' : ''} ${JSON.stringify(r.headers ?? {})} ${body.slice(0, 300)}`;
};

/** Sends one request and checks every invariant; throws with the request described. */
async function send(r: FuzzRequest): Promise<Response> {
  const before = await fingerprint();
  const res = await app.request(r.path, { method: r.method, headers: r.headers ?? {}, ...(r.body !== undefined ? { body: r.body } : {}) });
  sent++;
  const key = `${r.method} ${family(r.path)} ${res.status}`;
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
  const text = await res.clone().text();
  const type = res.headers.get('Content-Type') ?? '';
  const fail = (why: string): never => {
    throw new Error(`${why}\n  request: ${describeRequest(r)}\n  response: ${res.status} ${type} ${text.slice(0, 400)}`);
  };
  if (res.status >= 500) fail('5xx');
  if (r.refused && (res.status < 400 || res.status > 499)) fail('not refused');
  if (res.status >= 400) checkRefusal(r.format, res.status, type, text, fail);
  if (type.startsWith('text/html')) for (const problem of markupProblems(text)) fail(`markup in page: ${problem}`);
  const after = await fingerprint();
  if (after !== before) fail(`something was stored or changed:\n  before ${before}\n  after  ${after}`);
  return res;
}

function checkRefusal(format: Format, status: number, type: string, text: string, fail: (why: string) => never) {
  switch (format) {
    case 'api': {
      if (!type.startsWith('application/json')) fail('API refusal not JSON');
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; fields?: unknown } };
      if (Object.keys(body).join() !== 'error' || typeof body.error !== 'object' || body.error === null) fail('not { error }');
      const e = body.error!;
      if (!Object.keys(e).every((k) => ['code', 'message', 'fields'].includes(k))) fail('extra keys in error');
      if (typeof e.code !== 'string' || !/^[a-z_]+$/.test(e.code)) fail('error.code');
      if (typeof e.message !== 'string' || !/[\u4e00-\u9fff]/.test(e.message)) fail('error.message (Chinese)');
      if ('fields' in e) {
        const fields = e.fields as Record<string, unknown>;
        if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || !Object.keys(fields).length) fail('error.fields');
        for (const [k, v] of Object.entries(fields)) {
          if (!/^[A-Za-z_][A-Za-z0-9_.[\]]*$/.test(k) || k === 'undefined' || k === 'null') fail(`error.fields key ${k}`);
          if (typeof v !== 'string' || !v) fail(`error.fields.${k}`);
        }
      }
      return;
    }
    case 'page':
      // Pages go through the built site on a real Node server (tests/support/site.ts), whose HTTP
      // parser refuses a request line and headers over 16 KB before any of the portal's code runs.
      if (status === 431 && !text) return;
      if (!type.startsWith('text/html')) fail('page refusal not HTML');
      if (!text.includes('<html') || !/<h1>[^<]+<\/h1>/.test(text)) fail('page refusal without a heading');
      return;
    case 'open311-json': {
      if (!type.startsWith('application/json')) fail('Open311 refusal not JSON');
      const rows = JSON.parse(text) as { code: unknown; description: unknown }[];
      if (!Array.isArray(rows) || !rows.length) fail('Open311 refusal not a list');
      for (const row of rows) {
        if (Object.keys(row).sort().join() !== 'code,description' || row.code !== status || typeof row.description !== 'string' || !row.description) fail('Open311 error row');
      }
      return;
    }
    case 'open311-xml':
      if (!type.includes('xml')) fail('Open311 .xml refusal not XML');
      if (!new RegExp(`^<\\?xml[^>]*\\?><errors><error><code>${status}</code><description>[^<]+</description></error></errors>$`).test(text)) fail('Open311 XML error');
      return;
    case 'any':
      return;
  }
}

/** Runs a generated family of requests with the fixed seed. */
async function fuzz(arbitrary: fc.Arbitrary<FuzzRequest>, numRuns: number) {
  // Counterexamples are printed short: method, path, headers and the start of the body.
  const printable = arbitrary.map((r) => Object.assign(r, { [fc.toStringMethod]: () => describeRequest(r) }));
  await fc.assert(
    fc.asyncProperty(printable, async (r) => {
      await send(r);
    }),
    { seed: SEED, numRuns, endOnFailure: true },
  );
}

// ---------------------------------------------------------------------------
// Fixture: a database with a submitted complaint, a closed and published one, and an objection
// ---------------------------------------------------------------------------

const FORM = validComplaintForm('fuzz-form-key-0123456789');

function formBody(fields: Record<string, unknown>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) if (x !== undefined) body.append(k, String(x));
  return body.toString();
}
function multipart(fields: Record<string, unknown>, files: File[] = []) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) if (x !== undefined) form.append(k, String(x));
  for (const f of files) form.append('photos', f);
  return form;
}
const URLENCODED = { 'Content-Type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  photos = memoryPhotoStore();
  const reference = testReference();
  reference.notices.push(NOTICE);
  regionIds = reference.regions.map((r) => r.id);
  const limits = { intake: NO_LIMIT, intakeRefused: NO_LIMIT, lookup: NO_LIMIT, dispute: NO_LIMIT, objection: NO_LIMIT, search: NO_LIMIT, open311: NO_LIMIT, 'open311-partner': NO_LIMIT, subscribe: NO_LIMIT, 'subscribe-address': NO_LIMIT };
  api = await testApi({ photos, reference, now: () => NOW, limits });
  // Each login attempt from its own address, so the login throttle's 429 (per client) does not
  // stand in for the checks behind it.
  let logins = 0;
  const clientAddress = (c: Context) => (c.req.path.includes('/login') ? `login-client-${++logins}` : '198.51.100.7');
  app = createSiteApp({
    production: false,
    open311Keys: [OPEN311_KEY],
    complaints: { db: api.db, contactKey: api.contactKey, clientSalt: 'test-salt', reference, photos, clientAddress, now: () => NOW, limits, mail: { siteUrl: 'https://portal.example.org' } },
  });
  await createStaffUser(api.db, { username: 'admin', displayName: '管理员', role: 'admin', password: PASSWORD });

  // One complaint left as submitted, one taken to closed and published (so it is in the search index).
  const submitted = await postJson(app, '/api/complaints', validComplaint());
  ({ trackingCode: submittedCode, reference: submittedReference } = (await submitted.json()) as { trackingCode: string; reference: string });
  const closed = await app.request('/complaints/new/', { method: 'POST', headers: URLENCODED, body: formBody(FORM) });
  closedCode = closed.headers.get('Location')!.match(/track\/([A-Z0-9]{13})\//)![1]!;
  const login = await app.request('/staff/login/', { method: 'POST', headers: URLENCODED, body: formBody({ username: 'admin', password: PASSWORD }) });
  const cookie = login.headers.get('Set-Cookie')!.split(';')[0]!;
  const csrf = (await (await app.request('/staff/', { headers: { Cookie: cookie } })).text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
  const { rows } = await api.db.$client.execute({ sql: 'select id from complaints where tracking_code = ?', args: [closedCode] });
  const id = String(rows[0]!.id);
  const staffPost = (path: string, fields: Record<string, string>) => app.request(path, { method: 'POST', headers: { ...URLENCODED, Cookie: cookie }, body: formBody({ _csrf: csrf, ...fields }) });
  for (const step of [{ action: 'accept' }, { action: 'assign', unit: 'wuwei-housing' }, { action: 'close', verdict: '属实', reply: '已责令停产整改。' }]) {
    expect((await staffPost(`/staff/complaints/${id}/action`, step)).status).toBe(303);
  }
  expect((await staffPost(`/staff/complaints/${id}/publish`, { do: 'publish', summary: '反映企业夜间排放黑烟污水。', investigation: '经查属实。', result: '责令整改。' })).status).toBe(303);
  expect((await app.request(`/objections/${NOTICE.itemId}/`, { method: 'POST', headers: URLENCODED, body: formBody({ text: '整改后排污口仍有污水直排，十一月二十日拍到。', formKey: 'fuzz-objection-key-0001' }) })).status).toBe(303);
});

afterAll(() => {
  console.log(`fuzz.test.ts: ${sent} generated malformed requests sent`);
  console.log([...statuses].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n'));
  api?.close();
});

// ---------------------------------------------------------------------------
// Breakers: each alone makes a complaint invalid, whatever the other fields hold
// ---------------------------------------------------------------------------

const notRegion = () => nasty.filter((s) => !regionIds.includes(s));
const notType = nasty.filter((s) => !(POLLUTION_TYPES as readonly string[]).includes(s));
const badPhone = nasty.filter((s) => s.replace(/[\s-]/g, '') !== '' && !PHONE.test(s.replace(/[\s-]/g, '')));
const badEmail = fc.constantFrom('not-an-email', '<script>@x', '"><img src=x onerror=alert(1)>@', 'a@', '@b.cn', 'a b@c.cn', "' OR 1=1--@x.cn");
const tooShort = fc.string({ maxLength: 9 });
/** Dates in the right format that do not exist (or times of day that do not). */
const IMPOSSIBLE_DATES = ['2025-13-45', '2026-02-30', '2026-00-10', '2025-11-00', '2026-11-20T99:99', '2026-11-20 24:00', '2026-11-20T23:60'];
const tooLong = (min: number) => fc.integer({ min: min + 1, max: min + 3000 }).map((n) => 'x'.repeat(n));

/** Breakers for the JSON intake (values of any type). */
const jsonBreakers = (): Record<string, fc.Arbitrary<Record<string, unknown>>> => ({
  region: fc.oneof(notRegion(), fc.integer(), fc.constant(null), fc.array(fc.constantFrom(...regionIds))).map((region) => ({ region })),
  pollutionTypes: fc.oneof(fc.constant([]), fc.array(notType, { minLength: 1, maxLength: 3 }), notType, fc.constant(Array(9).fill('大气')), fc.integer(), fc.dictionary(fc.string(), nasty)).map((pollutionTypes) => ({ pollutionTypes })),
  description: fc.oneof(tooShort, tooLong(2000), fc.integer(), fc.constant(null), fc.array(fc.string())).map((description) => ({ description })),
  address: fc.oneof(fc.constantFrom('', ' ', 'x', '\t'), tooLong(200), fc.boolean()).map((address) => ({ address })),
  observedAt: fc.oneof(fc.constantFrom(...IMPOSSIBLE_DATES, '2999-01-01', '2026-11-24', '20261120', 'yesterday', '2026-11-20T25', '', ' '), fc.integer(), nasty.filter((s) => !/^\s*\d{4}-\d{2}-\d{2}/.test(s))).map((observedAt) => ({ observedAt })),
  honeypot: fc.oneof(nasty.filter((s) => s !== ''), fc.integer(), fc.constant(null)).map((website) => ({ website })),
  latitude: fc.oneof(fc.constantFrom('abc', '91', '-90.5', '1e999', 'NaN', {}, []), fc.double({ min: 90.0001, max: 1e9 })).map((latitude) => ({ latitude, longitude: 102.6 })),
  latitudeAlone: fc.double({ min: -89, max: 89, noNaN: true }).map((latitude) => ({ latitude, longitude: undefined })),
  realNameWithoutContact: fc.constant({ anonymous: false, name: undefined, phone: undefined, email: undefined }),
  phone: badPhone.map((phone) => ({ phone })),
  email: badEmail.map((email) => ({ email })),
});

/** The same breakers as form fields (strings only). */
const formBreakers = (): Record<string, fc.Arbitrary<Record<string, unknown>>> => ({
  region: notRegion().map((region) => ({ region })),
  pollutionTypes: fc.oneof(fc.constant([]), fc.array(notType, { minLength: 1, maxLength: 3 })).map((pollutionTypes) => ({ pollutionTypes })),
  description: fc.oneof(tooShort, tooLong(2000)).map((description) => ({ description })),
  address: fc.oneof(fc.constantFrom('', ' ', 'x'), tooLong(200)).map((address) => ({ address })),
  observedAt: fc.oneof(fc.constantFrom(...IMPOSSIBLE_DATES, '2999-01-01', '2026-11-24', '20261120', 'yesterday', ''), nasty.filter((s) => !/^\s*\d{4}-\d{2}-\d{2}/.test(s))).map((observedAt) => ({ observedAt })),
  honeypot: nasty.filter((s) => s !== '').map((website) => ({ website })),
  latitude: fc.constantFrom('abc', '91', '-90.5', '1e999', 'NaN', '--1').map((latitude) => ({ latitude, longitude: '102.6' })),
  latitudeAlone: fc.constantFrom('37.9', '0', '-12.5').map((latitude) => ({ latitude, longitude: undefined })),
  realNameWithoutContact: fc.constant({ anonymous: '0', name: undefined, phone: undefined, email: undefined }),
  phone: badPhone.map((phone) => ({ phone })),
  email: badEmail.map((email) => ({ email })),
});

/** One to three breakers, merged. */
const broken = (breakers: Record<string, fc.Arbitrary<Record<string, unknown>>>) =>
  fc.uniqueArray(fc.constantFrom(...Object.keys(breakers)), { minLength: 1, maxLength: 3 }).chain((names) => fc.tuple(...names.map((n) => breakers[n]!)).map((patches) => Object.assign({}, ...patches) as Record<string, unknown>));

const TEXT_FIELDS = ['address', 'description', 'suspectedPolluter', 'name', 'phone', 'email', 'latitude', 'longitude', 'observedAt', 'region', 'formKey', 'captchaToken'];
/** Fields a client must not be able to set. */
const MASS_ASSIGNMENT = ['state', 'id', 'trackingCode', 'publishedAt', 'publication', 'assignedUnit', 'verdict', 'clientHash', 'idempotencyKey', 'createdAt', 'constructor', 'prototype'];
const noise = (values: fc.Arbitrary<unknown>) => fc.dictionary(fc.constantFrom(...TEXT_FIELDS, ...MASS_ASSIGNMENT), values, { maxKeys: 5 });

/** A complaint for the JSON intake that must be refused. */
const badComplaintJson = () => fc.tuple(noise(jsonJunk), broken(jsonBreakers())).map(([n, b]) => ({ ...validComplaint({ observedAt: '2026-11-20' }), ...n, ...b }));
/** A complaint form that must be refused. */
const badComplaintForm = () => fc.tuple(noise(nasty), broken(formBreakers())).map(([n, b]) => ({ ...FORM, ...n, ...b }));

// ---------------------------------------------------------------------------
// The generated families, one per endpoint
// ---------------------------------------------------------------------------

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8'];
const NOT_JSON_TYPES = ['text/plain', 'text/json', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html', 'application/javascript', 'image/png'];
const NOT_FORM_TYPES = ['application/json', 'text/plain', 'text/html', 'application/xml', 'application/octet-stream', 'multipart/mixed; boundary=x', 'image/jpeg'];

/** POST /api/complaints: broken JSON, wrong types and fields, invalid UTF-8, wrong content types, bad keys, huge bodies. */
const intakeRequests = (): fc.Arbitrary<FuzzRequest> => {
  const post = (body: FuzzRequest['body'], headers: Record<string, string> = { 'Content-Type': 'application/json' }): FuzzRequest => ({ method: 'POST', path: '/api/complaints', headers, body, format: 'api', refused: true });
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(badComplaintJson(), fc.constantFrom(...JSON_TYPES)).map(([c, type]) => post(JSON.stringify(c), { 'Content-Type': type })) },
    // Not an object, or not JSON at all.
    { weight: 2, arbitrary: fc.oneof(jsonJunk.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v) ?? 'undefined'), nasty, fc.constantFrom('{', '{"region":', '[1,2]', '{"a":}', '{}garbage', '{"description":"\\ud800"', 'null', 'true', '', '\ufeff{}')).map((body) => post(body)) },
    // Invalid UTF-8 inside a value of an invalid complaint, or anywhere in one without a region.
    { weight: 2, arbitrary: fc.tuple(badComplaintJson(), fc.constantFrom(...BAD_BYTES)).map(([c, bad]) => post(withBadBytes(JSON.stringify({ ...c, suspectedPolluter: `污染${MARK}单位${MARK}` }), bad))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...BAD_BYTES), fc.nat()).map(([bad, at]) => { const text = bytes(JSON.stringify({ ...validComplaint(), region: undefined })); const i = at % text.length; return post(concat(text.slice(0, i), bad, text.slice(i))); }) },
    // A complete, valid complaint, refused for its content type or its key.
    { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON_TYPES).map((type) => post(JSON.stringify(validComplaint({ address: `地址 ${type}` })), { 'Content-Type': type })) },
    { weight: 1, arbitrary: fc.constant(post(bytes(JSON.stringify(validComplaint({ address: '没有内容类型' }))), {})) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 7, unit: 'binary-ascii' }), fc.string({ minLength: 101, maxLength: 200, unit: 'binary-ascii' }), payload).filter(headerSafe).filter((k) => !IDEMPOTENCY_KEY.test(k)).map((key) => post(JSON.stringify(validComplaint({ address: '坏的幂等键' })), { 'Content-Type': 'application/json', 'Idempotency-Key': key })) },
    // Over the 32 KB limit.
    { weight: 1, arbitrary: fc.integer({ min: 33 * 1024, max: 200 * 1024 }).map((n) => post(JSON.stringify(validComplaint({ description: 'x'.repeat(n) })))) },
  );
};

/** Accept headers: the form's script asks for JSON; a browser does not. */
const accept = fc.constantFrom<Record<string, string>>({}, { Accept: 'application/json' }, { Accept: 'text/html' }, { Accept: '*/*' });
const formFormat = (headers: Record<string, string>): Format => ((headers.Accept ?? '').includes('application/json') ? 'api' : 'page');
const newComplaint = (body: FuzzRequest['body'], headers: Record<string, string>): FuzzRequest => ({ method: 'POST', path: '/complaints/new/', headers, body, format: formFormat(headers), refused: true });

/** POST /complaints/new/ as urlencoded: invalid forms, invalid UTF-8, wrong content types. */
const formRequests = (): fc.Arbitrary<FuzzRequest> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(badComplaintForm(), accept).map(([f, h]) => newComplaint(formBody(f), { ...URLENCODED, ...h })) },
    // Bad percent-encodings and raw bytes inside a value, or a body that is not a form at all.
    { weight: 2, arbitrary: fc.tuple(badComplaintForm(), fc.constantFrom(...BAD_PERCENT), accept).map(([f, bad, h]) => newComplaint(`${formBody(f)}&suspectedPolluter=${bad}&address=${bad}${bad}`, { ...URLENCODED, ...h })) },
    { weight: 1, arbitrary: fc.tuple(badComplaintForm(), fc.constantFrom(...BAD_BYTES), accept).map(([f, bad, h]) => newComplaint(withBadBytes(`${formBody(f)}&suspectedPolluter=a${MARK}b${MARK}`, bad), { ...URLENCODED, ...h })) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(nasty, fc.constantFrom('&&&', '=', '==&==', 'a=%', 'pollutionTypes[]=大气&region[x]=1')), accept).map(([body, h]) => newComplaint(body, { ...URLENCODED, ...h })) },
    // A valid form in the wrong content type, or with none.
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NOT_FORM_TYPES), accept).map(([type, h]) => newComplaint(formBody({ ...FORM, address: `地址 ${type}` }), { 'Content-Type': type, ...h })) },
    { weight: 1, arbitrary: accept.map((h) => newComplaint(bytes(formBody({ ...FORM, address: '没有内容类型' })), h)) },
  );

/** Photos that must be refused: not an image, a truncated JPEG, a PNG signature with garbage, too many. */
const badPhotos = fc.oneof(
  fc.tuple(fc.uint8Array({ maxLength: 2000 }), nasty, fc.constantFrom('image/jpeg', 'image/png', 'text/html', '')).map(([b, name, type]) => [new File([concat(bytes('NOT AN IMAGE'), b)], `${name.slice(0, 200)}.jpg`, { type })]),
  fc.tuple(fc.integer({ min: 3, max: JPEG.length - 1 }), nasty).map(([n, name]) => [new File([JPEG.slice(0, n)], `${name.slice(0, 200)}.jpg`, { type: 'image/jpeg' })]),
  fc.uint8Array({ maxLength: 500 }).map((b) => [new File([concat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), bytes('garbage'), b)], 'x.png', { type: 'image/png' })]),
  fc.integer({ min: 4, max: 6 }).map((n) => Array.from({ length: n }, (_, i) => new File([JPEG], `photo-${i}.jpg`, { type: 'image/jpeg' }))),
);

/** POST /complaints/new/ as multipart: invalid forms (with or without photos), bad photos on a valid form, huge fields. */
const multipartRequests = (): fc.Arbitrary<FuzzRequest> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.tuple(badComplaintForm(), fc.array(fc.constantFrom(new File([JPEG], 'ok.jpg', { type: 'image/jpeg' }), new File([], 'empty.jpg')), { maxLength: 2 }), accept).map(([f, files, h]) => newComplaint(multipart(f, files), h)) },
    { weight: 3, arbitrary: fc.tuple(badPhotos, accept).map(([files, h]) => newComplaint(multipart({ ...FORM, address: '照片有问题' }, files), h)) },
    // A field sent as a file is not a field.
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('description', 'region', 'address'), accept).map(([field, h]) => { const form = multipart({ ...FORM, [field]: undefined }); form.append(field, new File([String(FORM[field])], 'x.txt')); return newComplaint(form, h); }) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100_000, max: 1_000_000 }), fc.constantFrom('description', 'address', 'name', 'website', 'formKey'), accept).map(([n, field, h]) => newComplaint(multipart({ ...FORM, [field]: '污'.repeat(n), ...(field === 'formKey' ? { region: 'nowhere' } : {}) }), h)) },
  );

/** Multipart bodies that are broken: wrong or missing boundaries, truncated parts, garbage. */
const brokenMultipartRequests = (): fc.Arbitrary<FuzzRequest> => {
  const boundary = fc.string({ minLength: 1, maxLength: 70, unit: 'binary-ascii' }).filter((b) => headerSafe(b) && !b.includes(';') && !b.includes('"'));
  const part = fc.oneof(
    fc.tuple(fc.constantFrom('description', 'region', 'photos', 'x'), nasty).map(([name, value]) => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`),
    nasty.map((value) => `Content-Disposition: form-data\r\n\r\n${value}`),
    nasty.map((junk) => `${junk}\r\n${junk}`),
    fc.constant('Content-Disposition: form-data; name="photos"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff'),
  );
  return fc
    .record({
      declared: boundary,
      used: fc.oneof(boundary, fc.constant(undefined)),
      parts: fc.array(part, { maxLength: 4 }),
      ending: fc.constantFrom('--\r\n', '', '\r\n', '--', 'garbage'),
      typeShape: fc.constantFrom('normal', 'quoted', 'none', 'empty'),
      headers: accept,
    })
    .map(({ declared, used, parts, ending, typeShape, headers }) => {
      const b = used ?? declared;
      const body = parts.map((p) => `--${b}\r\n${p}\r\n`).join('') + `--${b}${ending}`;
      const type = { normal: `multipart/form-data; boundary=${declared}`, quoted: `multipart/form-data; boundary="${declared}"`, none: 'multipart/form-data', empty: 'multipart/form-data; boundary=' }[typeShape];
      return newComplaint(body, { 'Content-Type': type, ...headers });
    });
};

/** GET endpoints: tracking lookups, the tracking page, the public list, the JSON view, search, published data, the API description. */
const SEARCH_PARAMS = ['q', 'kind', 'inspection', 'plan', 'region', 'unit', 'status', 'topic', 'pollution', 'from', 'to', 'page', 'pageSize', 'format'];
const getRequests = (): fc.Arbitrary<FuzzRequest> => {
  const get = (path: string, format: Format): FuzzRequest => ({ method: 'GET', path, format, refused: false });
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(queryPairs(SEARCH_PARAMS), fc.tuple(fc.constantFrom(...FTS5_PAYLOADS, ...SQL_PAYLOADS), queryPairs(SEARCH_PARAMS)).map(([q, rest]): [string, string][] => [['q', encodeURIComponent(q)], ...rest])).map((pairs) => get(`/api/search${queryOf(pairs)}`, 'api')) },
    // Query text alone (or with a good filter and format), so it reaches the tokenizer and FTS5.
    { weight: 3, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(...FTS5_PAYLOADS, ...SQL_PAYLOADS), nasty.filter((q) => q.length < 400)), fc.constantFrom('', '&format=csv', '&kind=complaint', '&region=gansu-wuwei&page=2', '&pageSize=50&from=2019&to=2030')).map(([q, rest]) => get(`/api/search?q=${enc(q)}${rest}`, 'api')) },
    { weight: 2, arbitrary: queryPairs(['region', 'type', 'verdict', 'unit', 'page', 'format']).map((pairs) => get(`/api/complaints/published${queryOf(pairs)}`, 'api')) },
    { weight: 2, arbitrary: segment.map((code) => get(`/api/complaints/${code}`, 'api')) },
    { weight: 1, arbitrary: queryPairs(['x', 'format']).map((pairs) => get(`/api/openapi.json${queryOf(pairs)}`, 'api')) },
    { weight: 1, arbitrary: segment.map((s) => get(`/api/${s}`, 'api')) },
    { weight: 2, arbitrary: queryPairs(['code']).map((pairs) => get(`/complaints/track/${queryOf(pairs)}`, 'page')) },
    { weight: 2, arbitrary: fc.tuple(segment, queryPairs(['new'])).map(([code, pairs]) => get(`/complaints/track/${code}/${queryOf(pairs)}`, 'page')) },
    { weight: 2, arbitrary: queryPairs(['region', 'type', 'verdict', 'unit', 'page']).map((pairs) => get(`/complaints/${queryOf(pairs)}`, 'page')) },
    // Public record pages by reference number: numbers of every width, the published one, unpublished ones.
    { weight: 2, arbitrary: fc.oneof(fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 999_999_999 })).map(([y, n]) => `${String(y).padStart(4, '0')}-${String(n).padStart(6, '0')}`), fc.constantFrom('2026-000001', '2026-000002', '2026-000003', '0000-000000')).map((ref) => get(`/complaints/${ref}/`, 'page')) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(segment, fc.constant(NOTICE.itemId)), queryPairs(['receipt'])).map(([item, pairs]) => get(`/objections/${item}/${queryOf(pairs)}`, 'page')) },
    { weight: 1, arbitrary: queryPairs(['x']).map((pairs) => get(`/complaints/new/${queryOf(pairs)}`, 'page')) },
    { weight: 1, arbitrary: queryPairs(['x']).map((pairs) => get(`/staff/login/${queryOf(pairs)}`, 'page')) },
  );
};

/** Other methods on API paths: the catch-all answers 404 in the error format. */
const apiMethodRequests = (): fc.Arbitrary<FuzzRequest> =>
  fc
    .tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS'), fc.constantFrom('/api/complaints', `/api/complaints/CODE`, '/api/search', '/api/openapi.json', '/api/complaints/published', '/api/staff/login', '/api/staff/me', '/api/health'), nasty)
    .map(([method, path, body]) => ({ method, path: path.replace('CODE', submittedCode), headers: { 'Content-Type': 'application/json' }, body, format: 'api' as const, refused: true }));

/** POST /complaints/track/:code/dispute: unknown codes, a complaint that is not closed, a closed one with a bad note. */
const disputeRequests = (): fc.Arbitrary<FuzzRequest> => {
  const dispute = (code: string, body: FuzzRequest['body'], headers: Record<string, string>): FuzzRequest => ({ method: 'POST', path: `/complaints/track/${code}/dispute`, headers, body, format: 'page', refused: true });
  const anyBody = fc.oneof(
    nasty.map((note) => ({ body: formBody({ note }) as FuzzRequest['body'], headers: URLENCODED as Record<string, string> })),
    nasty.map((note) => ({ body: multipart({ note }) as FuzzRequest['body'], headers: {} })),
    nasty.map((note) => ({ body: JSON.stringify({ note }) as FuzzRequest['body'], headers: { 'Content-Type': 'application/json' } })),
    fc.constantFrom(...BAD_BYTES).map((bad) => ({ body: withBadBytes(`note=${MARK}`, bad) as FuzzRequest['body'], headers: URLENCODED })),
  );
  const badNote = fc.oneof(fc.constantFrom('', ' ', '\n\t'), tooLong(2000), fc.integer({ min: 17 * 1024, max: 64 * 1024 }).map((n) => 'x'.repeat(n)));
  return fc.oneof(
    { weight: 2, arbitrary: fc.tuple(segment, anyBody).map(([code, b]) => dispute(code, b.body, b.headers)) },
    { weight: 2, arbitrary: anyBody.map((b) => dispute(submittedCode, b.body, b.headers)) },
    { weight: 2, arbitrary: badNote.map((note) => dispute(closedCode, formBody({ note }), URLENCODED)) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_FORM_TYPES).map((type) => dispute(closedCode, formBody({ note: '当晚仍在冒黑烟，附近居民均可作证。' }), { 'Content-Type': type })) },
  );
};

/** Subscriptions: the API and the /follow/ form with an invalid request; confirm and unsubscribe with forged tokens. */
const subscriptionRequests = (): fc.Arbitrary<FuzzRequest> => {
  const valid = { email: 'reader@example.net', target: 'item:wuwei-2020-07', frequency: 'daily' };
  const breakers: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    email: fc.oneof(nasty.filter((e) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e.trim())), fc.integer(), fc.constant(null), fc.integer({ min: 250, max: 3000 }).map((n) => `${'a'.repeat(n)}@example.org`), fc.constantFrom('a@b', 'reader@example.net\r\nBcc: x@example.org', '<a@example.org>', 'a b@example.org')).map((email) => ({ email })),
    target: fc.oneof(nasty, fc.constantFrom('item:', 'item:no-such-item', 'case:jilin-backdated-deadline', 'ITEM:wuwei-2020-07', 'item:wuwei-2020-07 ', 'item:../../etc', 'region:china\u0000'), fc.integer(), fc.array(fc.constant('item:wuwei-2020-07'))).map((target) => ({ target })),
    frequency: fc.oneof(nasty, fc.constantFrom('hourly', 'Daily', 'monthly', ' daily'), fc.boolean()).map((frequency) => ({ frequency })),
    extra: fc.tuple(fc.constantFrom('confirmedAt', 'cursor', 'id', 'tokenHash', '__proto__', 'website'), jsonJunk).map(([k, v]) => ({ [k]: v })),
  };
  const request = broken(breakers).map((b) => ({ ...valid, ...b }));
  // The form reads its own fields and ignores others (a mass-assigned field cannot reach the row either way).
  const { extra: _extra, ...formBreakers } = breakers;
  const formRequest = broken(formBreakers).map((b) => ({ ...valid, ...b }));
  const api = (body: FuzzRequest['body'], headers: Record<string, string> = { 'Content-Type': 'application/json' }): FuzzRequest => ({ method: 'POST', path: '/api/subscriptions', headers, body, format: 'api', refused: true });
  const page = (method: string, path: string, body?: FuzzRequest['body']): FuzzRequest => ({ method, path, headers: URLENCODED, body, format: 'page', refused: method === 'POST' });
  const token = fc.oneof(nasty.map(enc), fc.constantFrom(...BAD_PERCENT), fc.constantFrom('a'.repeat(43), `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}.${'0'.repeat(64)}`));
  return fc.oneof(
    { weight: 5, arbitrary: request.map((r) => api(JSON.stringify(r))) },
    { weight: 1, arbitrary: fc.oneof(nasty, fc.constantFrom('{', '[]', 'null', '{"email":', '')).map((body) => api(body)) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON_TYPES).map((type) => api(JSON.stringify(valid), { 'Content-Type': type })) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_BYTES).map((bad) => api(withBadBytes(JSON.stringify({ ...valid, email: `a${MARK}@example.org` }), bad))) },
    // The form: every field but the honeypot goes through the same check (a filled honeypot is told what everybody is told).
    { weight: 4, arbitrary: formRequest.map((r) => page('POST', '/follow/', formBody(r))) },
    { weight: 2, arbitrary: token.map((t) => page('POST', `/follow/confirm/?token=${t}`)) },
    { weight: 2, arbitrary: token.map((t) => page('POST', `/follow/unsubscribe/?token=${t}`, 'List-Unsubscribe=One-Click')) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('/follow/confirm/?token=', '/follow/unsubscribe/?token=', '/follow/?target=', '/follow/sent/?target='), token).map(([p, t]) => page('GET', `${p}${t}`)) },
  );
};

/** POST /objections/:item/: no notice window, or an invalid objection during the window. */
const objectionRequests = (): fc.Arbitrary<FuzzRequest> => {
  const object = (item: string, body: FuzzRequest['body'], headers: Record<string, string> = URLENCODED): FuzzRequest => ({ method: 'POST', path: `/objections/${item}/`, headers, body, format: 'page', refused: true });
  const valid = { text: '整改后排污口仍有污水直排，十一月二十日拍到。', name: '李四', phone: '13900000000', formKey: 'fuzz-objection-key-0002' };
  const breakers: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    text: fc.oneof(tooShort, tooLong(2000).map((t) => t.slice(0, 5000))).map((text) => ({ text })),
    name: fc.integer({ min: 51, max: 500 }).map((n) => ({ name: '名'.repeat(n) })),
    phone: fc.integer({ min: 31, max: 300 }).map((n) => ({ phone: '1'.repeat(n) })),
    honeypot: nasty.filter((s) => s !== '').map((website) => ({ website })),
  };
  const objection = fc.tuple(fc.dictionary(fc.constantFrom('text', 'name', 'phone', 'formKey', 'itemId', 'disposition'), nasty, { maxKeys: 4 }), broken(breakers)).map(([n, b]) => ({ ...valid, ...n, ...b }));
  return fc.oneof(
    { weight: 4, arbitrary: objection.map((o) => object(NOTICE.itemId, formBody(o))) },
    { weight: 1, arbitrary: objection.map((o) => object(NOTICE.itemId, multipart(o), {})) },
    { weight: 2, arbitrary: fc.tuple(fc.oneof(segment, fc.constant('wuwei-2020-02')), nasty).map(([item, text]) => object(item, formBody({ ...valid, text }))) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_FORM_TYPES).map((type) => object(NOTICE.itemId, formBody(valid), { 'Content-Type': type })) },
    { weight: 1, arbitrary: fc.integer({ min: 17 * 1024, max: 100 * 1024 }).map((n) => object(NOTICE.itemId, formBody({ ...valid, text: 'x'.repeat(n) }))) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_BYTES).map((bad) => object(NOTICE.itemId, withBadBytes(`${formBody({ ...valid, text: '太短' })}&name=${MARK}`, bad))) },
  );
};

/** Open311: filing without a key or with bad fields, wrong content types, huge bodies; listing with bad filters; unknown ids. */
const OPEN311_REQUEST = {
  api_key: OPEN311_KEY,
  service_code: 'water',
  'attribute[region]': 'gansu-wuwei-minqin',
  'attribute[observed_at]': '2026-11-20',
  address_string: '民勤县某村排渠',
  description: '排渠里的水发黑发臭，有死鱼漂浮。',
};
const EXTREME_DATES = ['-271821-04-20T00:00:00Z', '-271821-04-19T00:00:00Z', '+275760-09-13T00:00:00Z', '+275760-09-13T00:00:00.001Z', '0000-01-01T00:00:00Z', '1970-01-01', '0', '-1', '9999-12-31T23:59:59Z', '2026-02-30', '2026-11-23T25:61:00Z', 'Tue, 01 Jan -10000 00:00:00 GMT'];
const open311Requests = (): fc.Arbitrary<FuzzRequest> => {
  const ext = fc.constantFrom('json', 'xml');
  const format = (path: string): Format => (/\.xml(?:\?|$)/.test(path) ? 'open311-xml' : 'open311-json');
  const file = (e: string, body: FuzzRequest['body'], headers: Record<string, string> = URLENCODED): FuzzRequest => ({ method: 'POST', path: `/open311/v2/requests.${e}`, headers, body, format: format(`.${e}`), refused: true });
  const breakers: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    service: nasty.filter((s) => !['air', 'water', 'noise', 'solid-waste', 'soil', 'radiation', 'ecology', 'other'].includes(s)).map((service_code) => ({ service_code })),
    region: notRegion().map((r) => ({ 'attribute[region]': r })),
    observedAt: fc.constantFrom('2999-01-01', 'yesterday', '', '2026/11/20').map((d) => ({ 'attribute[observed_at]': d })),
    description: fc.oneof(tooShort, tooLong(2000)).map((description) => ({ description })),
    // Without an address a request may give lat/long instead: these breakers leave no full pair of coordinates.
    address: fc.constantFrom('', 'x', ' ').map((address_string) => ({ address_string, long: undefined })),
    latAlone: fc.constant({ lat: '38.1', long: undefined }),
    coordinatesInsteadOfAddress: fc.constantFrom(['91', '103.8'], ['36.1', '181'], ['-90.5', '0'], ['abc', '103.8'], ['36.1', ''], ['1e999', '1'], ['', '']).map(([lat, long]) => ({ address_string: '', lat, long })),
    email: badEmail.map((email) => ({ email })),
    phone: badPhone.map((phone) => ({ phone })),
  };
  const fields = fc.tuple(fc.dictionary(fc.constantFrom('first_name', 'last_name', 'device_id', 'account_id', 'attribute[suspected_polluter]', 'media_url', 'long', 'attribute[consent_publish]'), nasty, { maxKeys: 4 }), broken(breakers)).map(([n, b]) => ({ ...OPEN311_REQUEST, ...n, ...b }));
  const get = (path: string): FuzzRequest => ({ method: 'GET', path, format: format(path), refused: false });
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(ext, fields).map(([e, f]) => file(e, formBody(f))) },
    { weight: 1, arbitrary: fc.tuple(ext, fields).map(([e, f]) => file(e, multipart(f), {})) },
    { weight: 2, arbitrary: fc.tuple(ext, fc.oneof(nasty, fc.constant(undefined))).map(([e, key]) => file(e, formBody({ ...OPEN311_REQUEST, api_key: key }))) },
    { weight: 1, arbitrary: fc.tuple(ext, fc.constantFrom(...NOT_FORM_TYPES)).map(([e, type]) => file(e, formBody(OPEN311_REQUEST), { 'Content-Type': type })) },
    { weight: 1, arbitrary: fc.tuple(ext, fc.integer({ min: 33 * 1024, max: 100 * 1024 })).map(([e, n]) => file(e, formBody({ ...OPEN311_REQUEST, description: 'x'.repeat(n) }))) },
    { weight: 1, arbitrary: fc.tuple(ext, fc.constantFrom(...BAD_BYTES)).map(([e, bad]) => file(e, withBadBytes(`${formBody({ ...OPEN311_REQUEST, 'attribute[region]': 'mars' })}&description=${MARK}`, bad))) },
    { weight: 3, arbitrary: fc.tuple(ext, queryPairs(['service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'api_key', 'jurisdiction_id'])).map(([e, pairs]) => get(`/open311/v2/requests.${e}${queryOf(pairs)}`)) },
    // The same with a valid api_key (a partner's own rate-limit bucket), and reference numbers as typed.
    { weight: 1, arbitrary: fc.tuple(ext, queryPairs(['service_request_id', 'service_code', 'start_date', 'end_date', 'status'])).map(([e, pairs]) => get(`/open311/v2/requests.${e}?api_key=${OPEN311_KEY}${queryOf(pairs).replace('?', '&')}`)) },
    { weight: 1, arbitrary: fc.tuple(ext, fc.constantFrom(submittedReference, submittedReference.replace('-', ''), submittedReference.replace(/-0+/, '－'), '２０２６－１', '2026-0', '0-1', '2026-1234567890', `${submittedReference},${submittedCode}`)).map(([e, id]) => get(`/open311/v2/requests.${e}?service_request_id=${enc(id)}`)) },
    // Dates at and beyond the ends of what a JavaScript Date holds, in either filter or both.
    { weight: 1, arbitrary: fc.tuple(ext, fc.subarray(['start_date', 'end_date'], { minLength: 1 }), fc.constantFrom(...EXTREME_DATES)).map(([e, names, date]) => get(`/open311/v2/requests.${e}${queryOf(names.map((n) => [n, enc(date)]))}`)) },
    { weight: 1, arbitrary: fc.tuple(segment, ext).map(([id, e]) => get(`/open311/v2/requests/${id}.${e}`)) },
    { weight: 1, arbitrary: fc.tuple(segment, ext).map(([code, e]) => get(`/open311/v2/services/${code}.${e}`)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('discovery', 'services'), ext, queryPairs(['jurisdiction_id', 'x'])).map(([name, e, pairs]) => get(`/open311/v2/${name}.${e}${queryOf(pairs)}`)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), segment, fc.constantFrom('', '.json', '.xml')).map(([method, s, e]) => ({ method, path: `/open311/v2/${s}${e}`, format: format(e), refused: method !== 'GET' })) },
  );
};

/** Staff login, API and form: wrong shapes and types, huge bodies, wrong content types, foreign origins. */
const loginRequests = (): fc.Arbitrary<FuzzRequest> => {
  const apiLogin = (body: FuzzRequest['body'], headers: Record<string, string> = { 'Content-Type': 'application/json' }): FuzzRequest => ({ method: 'POST', path: '/api/staff/login', headers, body, format: 'api', refused: true });
  const formLogin = (body: FuzzRequest['body'], headers: Record<string, string> = URLENCODED): FuzzRequest => ({ method: 'POST', path: '/staff/login/', headers, body, format: 'page', refused: true });
  const credentials = fc.record({ username: fc.oneof(jsonJunk, fc.constant('admin')), password: jsonJunk }, { requiredKeys: [] });
  return fc.oneof(
    { weight: 3, arbitrary: credentials.map((c) => apiLogin(JSON.stringify(c))) },
    { weight: 1, arbitrary: fc.oneof(jsonJunk.map((v) => JSON.stringify(v) ?? ''), fc.constantFrom('{', '{"username":', 'null', '')).map((b) => apiLogin(b)) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON_TYPES).map((type) => apiLogin(JSON.stringify({ username: 'admin', password: 'wrong password here' }), { 'Content-Type': type })) },
    { weight: 1, arbitrary: fc.integer({ min: 5000, max: 50_000 }).map((n) => apiLogin(JSON.stringify({ username: 'admin', password: 'p'.repeat(n) }))) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_BYTES).map((bad) => apiLogin(withBadBytes(`{"username":"adm${MARK}in","password":"${MARK}"}`, bad))) },
    { weight: 3, arbitrary: fc.tuple(nasty, nasty).map(([username, password]) => formLogin(formBody({ username, password }))) },
    { weight: 1, arbitrary: fc.tuple(nasty, nasty).map(([username, password]) => formLogin(multipart({ username, password }), {})) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_FORM_TYPES).map((type) => formLogin(formBody({ username: 'admin', password: 'wrong password here' }), { 'Content-Type': type })) },
    { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://localhost.evil.example').map((origin) => formLogin(formBody({ username: 'admin', password: PASSWORD }), { ...URLENCODED, Origin: origin })) },
    { weight: 1, arbitrary: fc.integer({ min: 5000, max: 50_000 }).map((n) => formLogin(formBody({ username: 'admin', password: 'p'.repeat(n) }))) },
  );
};

// ---------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------

describe('generated malformed requests (fixed seed)', { timeout: 300_000 }, () => {
  it('POST /api/complaints: never stored, always the error format', () => fuzz(intakeRequests(), 220));
  it('POST /complaints/new/ (urlencoded): never stored, a 4xx page (or the error format for the form’s script)', () => fuzz(formRequests(), 160));
  it('POST /complaints/new/ (multipart, photos, huge fields): never stored', () => fuzz(multipartRequests(), 90));
  it('POST /complaints/new/ (broken multipart): never stored', () => fuzz(brokenMultipartRequests(), 60));
  it('GET endpoints (search, published data, tracking, list, objections, API paths): never a 5xx', () => fuzz(getRequests(), 320));
  it('other methods on API paths: 404 in the error format', () => fuzz(apiMethodRequests(), 30));
  it('POST /complaints/track/:code/dispute: never changes a complaint', () => fuzz(disputeRequests(), 80));
  it('POST /objections/:item/: never stored', () => fuzz(objectionRequests(), 100));
  it('Open311: never stored, the spec’s error format in JSON and XML', () => fuzz(open311Requests(), 160));
  it('staff login (API and form): never a session', () => fuzz(loginRequests(), 80));
  it('subscriptions (API, form, forged confirm and unsubscribe tokens): never stored, nothing mailed', () => fuzz(subscriptionRequests(), 120));
});

describe('cases worth naming', { timeout: 120_000 }, () => {
  const huge = 'x'.repeat(16 * 1024 * 1024);
  const CASES: [string, () => FuzzRequest][] = [
    ['a form body over the multipart limit', () => newComplaint(formBody({ ...FORM, description: huge }), URLENCODED)],
    ['a multipart body over the limit, for the form’s script', () => newComplaint(multipart({ ...FORM, description: huge }), { Accept: 'application/json' })],
    ['a photo over 5 MB', () => newComplaint(multipart({ ...FORM, address: '大照片' }, [new File([concat(JPEG.slice(0, -2), new Uint8Array(5 * 1024 * 1024), JPEG.slice(-2))], 'big.jpg', { type: 'image/jpeg' })]), {})],
    ['JSON with __proto__ and constructor keys', () => ({ method: 'POST', path: '/api/complaints', headers: { 'Content-Type': 'application/json' }, body: `{"__proto__":{"state":"closed","region":"gansu-wuwei-liangzhou"},"constructor":{"prototype":{"x":1}},"description":"${'夜间工厂烟囱冒黑烟。'.repeat(2)}"}`, format: 'api', refused: true })],
    ['JSON nested a thousand levels deep', () => ({ method: 'POST', path: '/api/complaints', headers: { 'Content-Type': 'application/json' }, body: '['.repeat(1000) + ']'.repeat(1000), format: 'api', refused: true })],
    ['a query string of 200 KB', () => ({ method: 'GET', path: `/api/search?q=${'污水'.repeat(10)}&${'region=a&'.repeat(20_000)}`, format: 'api', refused: false })],
    ['a search for FTS5 column syntax with every filter repeated', () => ({ method: 'GET', path: `/api/search?q=${encodeURIComponent('title:* OR NEAR("a" b)')}&${SEARCH_PARAMS.map((p) => `${p}=${encodeURIComponent("' OR 1=1--")}&${p}=${encodeURIComponent('<script>')}`).join('&')}`, format: 'api', refused: false })],
    ['an Open311 end date at the earliest instant a Date can hold', () => ({ method: 'GET', path: '/open311/v2/requests.json?end_date=-271821-04-20T00:00:00Z', format: 'open311-json', refused: false })],
    ['an Open311 service_request_id list of a thousand reference numbers', () => ({ method: 'GET', path: `/open311/v2/requests.xml?service_request_id=${Array.from({ length: 1000 }, (_, i) => `2026-${String(i + 1).padStart(6, '0')}`).join(',')}`, format: 'open311-xml', refused: false })],
    ['an Open311 request asked for by its tracking code', () => ({ method: 'GET', path: `/open311/v2/requests/${submittedCode}.json`, format: 'open311-json', refused: true })],
    ['an Open311 body over the limit, asked for as XML', () => ({ method: 'POST', path: '/open311/v2/requests.xml', headers: URLENCODED, body: formBody({ ...OPEN311_REQUEST, description: 'x'.repeat(40_000) }), format: 'open311-xml', refused: true })],
    ['an unknown Open311 path asked for as XML', () => ({ method: 'GET', path: '/open311/v2/nothing.xml', format: 'open311-xml', refused: false })],
    ['an objection over the body limit', () => ({ method: 'POST', path: `/objections/${NOTICE.itemId}/`, headers: URLENCODED, body: formBody({ text: 'x'.repeat(20_000) }), format: 'page', refused: true })],
    ['a dispute over the body limit', () => ({ method: 'POST', path: `/complaints/track/${closedCode}/dispute`, headers: URLENCODED, body: formBody({ note: 'x'.repeat(20_000) }), format: 'page', refused: true })],
    ['a staff login body of the wrong shape', () => ({ method: 'POST', path: '/api/staff/login', headers: { 'Content-Type': 'application/json' }, body: '["admin"]', format: 'api', refused: true })],
    ['a page path with a method it does not take', () => ({ method: 'DELETE', path: '/complaints/new/', format: 'any', refused: true })],
  ];
  it.each(CASES)('%s', async (_name, build) => {
    await send(build());
  });
});

describe('a valid complaint with fields it may not set', () => {
  it('stores the complaint but none of those fields', async () => {
    const res = await postJson(app, '/api/complaints', { ...validComplaint({ address: '多余字段' }), state: 'closed', publishedAt: '2026-01-01', assignedUnit: 'wuwei-housing', verdict: '不属实', trackingCode: 'AAAAAAAAAAAAA', publication: { summary: 'x', investigation: 'y', result: 'z' } });
    expect(res.status).toBe(201);
    const { trackingCode } = (await res.json()) as { trackingCode: string };
    expect(trackingCode).not.toBe('AAAAAAAAAAAAA');
    const { rows } = await api.db.$client.execute({ sql: 'select state, published_at, assigned_unit, verdict, publication from complaints where tracking_code = ?', args: [trackingCode] });
    expect(rows[0]).toMatchObject({ state: 'submitted', published_at: null, assigned_unit: null, verdict: null, publication: null });
  });
});

describe('the count', () => {
  it('is at least 1,000 requests', () => {
    console.log(`fuzz.test.ts: ${sent} requests so far`);
    expect(sent).toBeGreaterThanOrEqual(1000);
  });
});
