/**
 * Stored HTML/script is shown as text everywhere it is shown.
 *
 * Valid complaints (form, JSON API, Open311) and a valid objection are filed
 * with markup in every free-text field; staff (whose display names carry
 * markup too) take one complaint through acceptance, assignment, extension,
 * closure, publication, the reporter's dispute, reopening and closure again,
 * with markup in every reason, reply, internal note and published text; another
 * is refused with a reason in markup; the objection gets a disposition in
 * markup. Then every place that shows any of it is read:
 *
 *   pages (drawn by Astro in the site's layout, parsed as a browser parses them): receipt, tracking pages, the forms shown again with an
 *   error (complaint, tracking lookup, dispute, objection, staff login), the
 *   staff queue with its filter, complaint details (with contact details and
 *   as a handler), staff objections, the public objection page and the public
 *   list — no script element but the site's own, no injected element or attribute, and
 *   each field's text present whole as text or an attribute value (so the check is not vacuous);
 *
 *   Open311 XML — only Open311's own elements, the text escaped;
 *
 *   JSON (public view, published data, Open311, search) and CSV (published
 *   data, search) are data, not markup: the text comes back verbatim (not
 *   double-escaped), under a non-HTML content type with nosniff (CSV as an
 *   attachment), and the search snippets' `html`/`titleHtml` have no element
 *   but <mark>, and decode to their `text`.
 *
 * Why: production readiness — a resident's text is read by staff, and staff's
 * text by the public; neither may run script in the other's browser.
 */
import { createSiteApp } from '../support/site.ts';
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints, objections } from '../../db/schema.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { memoryPhotoStore, testApi, testReference, type TestApi } from '../support/api.ts';
import { markupProblems, shownAsText } from '../support/markup.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const PASSWORD = 'correct horse battery staple';
const OPEN311_KEY = 'escaping-open311-key-01';
const NOTICE = { itemId: 'wuwei-2020-01', title: '测试用公示', noticeFrom: '2026-11-01', noticeTo: '2026-11-30', signedOffOn: null, objectionContact: null };

/**
 * Markup for a field of at most `max` characters, tagged so each field can be
 * found where it is shown: a script element, attribute break-outs with both
 * quotes, closers of the elements text is put in, a javascript: URL, text that
 * is already escaped (must be escaped again) and a CDATA end for XML.
 */
function payload(tag: string, max = 2000): string {
  const parts = [
    `<script>alert("${tag}")</script>`,
    `"><img src=x onerror=alert('${tag}')>`,
    `'><svg onload=alert(1)>`,
    `</textarea></title><iframe src="javascript:alert(1)"></iframe>`,
    `&lt;b&gt;${tag}&lt;/b&gt;`,
    ']]><x/>',
  ];
  let out = `[${tag}]`;
  for (const p of parts) if ((out + p).length <= max) out += p;
  return out;
}

/** Every payload used, by tag: what must never appear verbatim in a page. */
const P = {
  address: payload('ADDR', 200),
  description: `夜间工厂烟囱冒黑烟。${payload('DESC')}`,
  polluter: payload('POL', 100),
  name: payload('NAME', 50),
  jsonAddress: payload('JADR', 200),
  jsonDescription: `排污口夜间偷排污水。${payload('JDSC')}`,
  o311Address: payload('OADR', 200),
  o311Description: `排渠里的水发黑发臭。${payload('ODSC')}`,
  o311First: payload('OFN', 25),
  o311Last: payload('OLN', 25),
  adminName: payload('ADM', 60),
  handlerName: payload('HND', 60),
  accept: payload('ACC'),
  assign: payload('ASG'),
  start: payload('STA'),
  extend: payload('EXT', 1000),
  reply: `已责令停产整改。${payload('REP')}`,
  closeNote: payload('CLN'),
  summary: `反映锅炉冒黑烟${payload('SUM')}`,
  investigation: `经查属实${payload('INV')}`,
  result: `责令整改${payload('RES')}`,
  dispute: `当晚仍在冒黑烟。${payload('DSP')}`,
  reopen: payload('REO'),
  reply2: `再次核查，已整改到位。${payload('RP2')}`,
  reject: payload('REJ'),
  objection: `排污口仍有污水直排。${payload('OBJ')}`,
  objectionName: payload('ONM', 50),
  objectionPhone: payload('OPH', 30),
  disposition: `经现场核查，异议不成立。${payload('DIS')}`,
};


let api: TestApi;
let app: ReturnType<typeof createSiteApp>;
const codes = { form: '', json: '', open311: '', rejected: '' };
/** Public reference numbers (受理编号), by the same names. */
const refs = { form: '', open311: '' };
const sessions: Record<'admin' | 'housing', { cookie: string; csrf: string }> = { admin: { cookie: '', csrf: '' }, housing: { cookie: '', csrf: '' } };

const URLENCODED = { 'Content-Type': 'application/x-www-form-urlencoded' };
function formBody(fields: Record<string, string | string[] | undefined>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v ?? []].flat()) body.append(k, x);
  return body;
}
const postForm = (path: string, fields: Record<string, string | string[] | undefined>, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { ...URLENCODED, ...headers }, body: formBody(fields) });
const idOf = async (code: string) => (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, code) }))!.id;

async function login(username: string) {
  const res = await postForm('/staff/login/', { username, password: PASSWORD });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
  const page = await (await app.request('/staff/', { headers: { Cookie: cookie } })).text();
  return { cookie, csrf: page.match(/name="_csrf" value="([^"]+)"/)![1]! };
}
async function staffPost(who: keyof typeof sessions, path: string, fields: Record<string, string>) {
  const res = await postForm(path, { _csrf: sessions[who].csrf, ...fields }, { Cookie: sessions[who].cookie });
  expect(res.status, `${who} ${path} ${JSON.stringify(fields).slice(0, 80)}: ${await res.clone().text().then((t) => t.match(/<h2>操作未完成<\/h2><p>([^<]*)/)?.[1] ?? '')}`).toBe(303);
}
const act = async (who: keyof typeof sessions, code: string, fields: Record<string, string>) => staffPost(who, `/staff/complaints/${await idOf(code)}/action`, fields);

beforeAll(async () => {
  const reference = testReference();
  reference.notices.push(NOTICE);
  api = await testApi({ reference, now: () => NOW });
  app = createSiteApp({
    production: false,
    open311Keys: [OPEN311_KEY],
    complaints: { db: api.db, contactKey: api.contactKey, clientSalt: 'test-salt', reference, photos: memoryPhotoStore(), clientAddress: () => '198.51.100.7', now: () => NOW },
  });
  await createStaffUser(api.db, { username: 'admin', displayName: P.adminName, role: 'admin', password: PASSWORD });
  await createStaffUser(api.db, { username: 'housing', displayName: P.handlerName, role: 'handler', unit: 'wuwei-housing', password: PASSWORD });

  // Three valid complaints, one through each way in, with markup in every free-text field.
  const form = await postForm('/complaints/new/', {
    pollutionTypes: ['大气'], region: 'gansu-wuwei-liangzhou', address: P.address, observedAt: '2026-11-20', description: P.description,
    suspectedPolluter: P.polluter, anonymous: '0', name: P.name, phone: '13912345678', email: 'resident@example.cn', consentPublish: '1', formKey: 'escaping-form-key-0001',
  });
  expect(form.status).toBe(303);
  codes.form = form.headers.get('Location')!.match(/track\/([A-Z0-9]{13})\//)![1]!;
  refs.form = (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, codes.form) }))!.reference!;
  const json = await app.request('/api/complaints', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ pollutionTypes: ['水'], region: 'gansu-wuwei-minqin', address: P.jsonAddress, observedAt: '2026-11-21', description: P.jsonDescription, suspectedPolluter: P.polluter, anonymous: true, consentPublish: true }),
  });
  expect(json.status).toBe(201);
  codes.json = ((await json.json()) as { trackingCode: string }).trackingCode;
  const open311 = await postForm('/open311/v2/requests.json', {
    api_key: OPEN311_KEY, service_code: 'water', 'attribute[region]': 'gansu-wuwei-minqin', 'attribute[observed_at]': '2026-11-20', 'attribute[suspected_polluter]': P.polluter,
    address_string: P.o311Address, description: P.o311Description, first_name: P.o311First, last_name: P.o311Last, email: 'r@example.cn', device_id: payload('DEV', 100),
  });
  expect(open311.status).toBe(201);
  // Open311 answers with the reference number only; the tracking code is looked up to act on the complaint.
  refs.open311 = ((await open311.json()) as { service_request_id: string }[])[0]!.service_request_id;
  codes.open311 = (await api.db.query.complaints.findFirst({ where: eq(complaints.reference, refs.open311) }))!.trackingCode;
  const refused = await postForm('/complaints/new/', { pollutionTypes: ['噪声'], region: 'gansu-wuwei-gulang', address: '古浪县某砖厂', observedAt: '2026-11-19', description: '砖厂夜间施工噪声很大，影响休息。', anonymous: '1', formKey: 'escaping-form-key-0002' });
  codes.rejected = refused.headers.get('Location')!.match(/track\/([A-Z0-9]{13})\//)![1]!;

  // Staff handle the form complaint through every step that takes text, and refuse another.
  sessions.admin = await login('admin');
  sessions.housing = await login('housing');
  await act('admin', codes.form, { action: 'accept', internalNote: P.accept });
  await act('admin', codes.form, { action: 'assign', unit: 'wuwei-housing', internalNote: P.assign });
  await act('housing', codes.form, { action: 'start', internalNote: P.start });
  await act('housing', codes.form, { action: 'extend', days: '20', reason: P.extend });
  await act('housing', codes.form, { action: 'close', verdict: '属实', reply: P.reply, internalNote: P.closeNote });
  await staffPost('housing', `/staff/complaints/${await idOf(codes.form)}/enforcement`, { ordered: '1', fineYuan: '50000' });
  const publication = { do: 'publish', summary: P.summary, investigation: P.investigation, result: P.result };
  await staffPost('admin', `/staff/complaints/${await idOf(codes.form)}/publish`, publication);
  expect((await postForm(`/complaints/track/${codes.form}/dispute`, { note: P.dispute })).status).toBe(303);
  await act('admin', codes.form, { action: 'reopen', reason: P.reopen });
  await act('housing', codes.form, { action: 'close', verdict: '基本属实', reply: P.reply2 });
  await staffPost('admin', `/staff/complaints/${await idOf(codes.form)}/publish`, publication);
  await act('admin', codes.rejected, { action: 'reject', reason: P.reject });

  // An objection in the notice window, and its disposition.
  expect((await postForm(`/objections/${NOTICE.itemId}/`, { text: P.objection, name: P.objectionName, phone: P.objectionPhone, formKey: 'escaping-objection-01' })).status).toBe(303);
  const [objection] = await api.db.select().from(objections);
  await staffPost('admin', `/staff/objections/${objection!.id}`, { disposition: P.disposition });
});

afterAll(() => api?.close());

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

type Fetch = () => Response | Promise<Response>;
const get = (path: string, who?: keyof typeof sessions) => app.request(path, who ? { headers: { Cookie: sessions[who].cookie } } : {});
const referenceOf = async (trackingCode: string) => (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, trackingCode) }))!.reference!;
const detail = async (code: keyof typeof codes) => `/staff/complaints/${await idOf(codes[code])}/`;
const contact = async (code: keyof typeof codes) => postForm(`${await detail(code)}contact`, { _csrf: sessions.admin.csrf }, { Cookie: sessions.admin.cookie });

/** Each page that shows stored text, and the text it must show (escaped). */
const PAGES: [string, Fetch, string[]][] = [
  // The reporter's dispute note goes to staff only (the public sees a fixed line): it is not on these pages.
  ['the receipt', () => get(`/complaints/track/${codes.form}/?new=1`), [P.extend, P.reply, P.reopen, P.reply2]],
  ['the tracking page', () => get(`/complaints/track/${codes.form}/`), [P.extend, P.reply, P.reopen, P.reply2]],
  ['the public record page', async () => get(`/complaints/${await referenceOf(codes.form)}/`), [P.summary, P.investigation, P.result]],
  ['the tracking page of a refused complaint', () => get(`/complaints/track/${codes.rejected}/`), [P.reject]],
  ['the public list', () => get('/complaints/'), [P.summary, P.investigation, P.result]],
  ['the public objection page', () => get(`/objections/${NOTICE.itemId}/`), [P.disposition]],
  ['the staff queue (admin)', () => get('/staff/', 'admin'), [P.adminName]],
  ['the staff queue (handler)', () => get('/staff/', 'housing'), [P.handlerName]],
  ['the complaint detail (admin)', async () => get(await detail('form'), 'admin'), [P.adminName, P.address, P.description, P.polluter, P.accept, P.assign, P.start, P.extend, P.reply, P.closeNote, P.dispute, P.reopen, P.reply2, P.summary, P.investigation, P.result]],
  ['the complaint detail (handler of its unit)', async () => get(await detail('form'), 'housing'), [P.handlerName, P.address, P.description, P.polluter, P.extend, P.reply2]],
  ['the complaint detail with contact details', () => contact('form'), [P.name, P.address]],
  ['the detail of a complaint from the JSON API', async () => get(await detail('json'), 'admin'), [P.jsonAddress, P.jsonDescription, P.polluter]],
  ['the detail of a complaint from Open311', async () => get(await detail('open311'), 'admin'), [P.o311Address, P.o311Description, P.polluter]],
  ['the detail of an Open311 complaint with contact details', () => contact('open311'), [P.o311Last + P.o311First]],
  ['the staff objection list', () => get('/staff/objections/', 'admin'), [P.objection, P.disposition]],
];

/** Forms shown again with an error, keeping (escaped) what was typed. */
const reflectedName = payload('LOGIN', 64);
const badPhoto = payload('FILE', 56);
const REFLECTED: [string, Fetch, string[]][] = [
  ['the complaint form with errors', () => postForm('/complaints/new/', { pollutionTypes: [payload('TYPE')], region: payload('REG'), address: payload('FADR', 200), latitude: payload('LAT'), longitude: payload('LNG'), observedAt: payload('OBS'), description: payload('FDSC'), suspectedPolluter: payload('FPOL', 100), anonymous: '0', name: payload('FNM', 50), phone: payload('FPH'), email: payload('FEM'), consentPublish: payload('CON'), formKey: payload('FKEY') }), [payload('FADR', 200), payload('LAT'), payload('LNG'), payload('OBS'), payload('FDSC'), payload('FPOL', 100), payload('FNM', 50), payload('FPH'), payload('FEM')]],
  ['the complaint form with a bad photo named in markup', () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ pollutionTypes: '大气', region: 'gansu-wuwei-liangzhou', address: '凉州区某地', observedAt: '2026-11-20', description: '夜间工厂烟囱冒黑烟，气味刺鼻。', anonymous: '1' })) form.append(k, v);
    form.append('photos', new File(['not an image'], `${badPhoto}.jpg`, { type: 'image/jpeg' }));
    return app.request('/complaints/new/', { method: 'POST', body: form });
  }, [badPhoto]],
  ['the tracking lookup with a bad code', () => app.request(`/complaints/track/?code=${encodeURIComponent(payload('TRK', 40))}`), [payload('TRK', 40)]],
  ['the tracking page of an unknown code', () => app.request(`/complaints/track/${encodeURIComponent(payload('UNK', 40))}/`), [payload('UNK', 40)]],
  ['the dispute form refused', () => postForm(`/complaints/track/${codes.json}/dispute`, { note: payload('DNOTE') }), [payload('DNOTE')]],
  ['the objection form with errors', () => postForm(`/objections/${NOTICE.itemId}/`, { text: payload('OTXT'), name: payload('ONAME', 200), phone: payload('OPHN', 30) }), [payload('OTXT'), payload('ONAME', 200), payload('OPHN', 30)]],
  ['the staff login form refused', () => postForm('/staff/login/', { username: `${reflectedName}xyz`, password: 'wrong password here' }), [reflectedName]],
  ['the staff queue filtered by a code in markup', () => app.request(`/staff/?code=${encodeURIComponent(payload('QRY', 64))}`, { headers: { Cookie: sessions.admin.cookie } }), [payload('QRY', 64)]],
];

describe('pages show stored and typed markup as text', () => {
  it.each([...PAGES, ...REFLECTED])('%s', async (_name, fetch, shown) => {
    const res = await fetch();
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(markupProblems(page)).toEqual([]);
    for (const text of shown) expect(shownAsText(page, text), `shows ${text.slice(0, 12)} as text`).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Data: JSON, CSV, Open311 XML, search
// ---------------------------------------------------------------------------

/** A JSON answer: JSON content type, nosniff, parsed. */
async function jsonOf(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
  expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  return res.json() as Promise<unknown>;
}
/** A CSV answer: CSV content type, an attachment, nosniff, parsed into records (BOM removed). */
async function csvOf(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toMatch(/^text\/csv/);
  expect(res.headers.get('Content-Disposition')).toMatch(/^attachment/);
  expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  return parse((await res.text()).replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
}

describe('data formats carry the text verbatim, never as a page', () => {
  it('the public view in JSON', async () => {
    const view = (await jsonOf(await app.request(`/api/complaints/${codes.form}`))) as { timeline: { publicNote: string | null }[] };
    const notes = view.timeline.map((s) => s.publicNote ?? '').join('\n');
    for (const text of [P.extend, P.reply, P.reopen, P.reply2]) expect(notes).toContain(text);
    // Reporter-written text is not published unreviewed: the dispute shows as a fixed line.
    expect(notes).not.toContain(P.dispute);
    expect(notes).toContain('投诉人对办理结果提出异议');
  });

  it('the published data in JSON and CSV', async () => {
    const json = (await jsonOf(await app.request('/api/complaints/published'))) as { rows: { reference: string; summary: string; investigation: string; result: string }[] };
    expect(JSON.stringify(json)).not.toContain(codes.form);
    expect(json.rows.find((r) => r.reference === refs.form)).toMatchObject({ summary: P.summary, investigation: P.investigation, result: P.result });
    const csv = await csvOf(await app.request('/api/complaints/published?format=csv'));
    expect(csv.find((r) => r['受理编号'] === refs.form)).toMatchObject({ 交办问题基本情况: P.summary, 调查核实情况: P.investigation, 处理和整改情况: P.result });
  });

  it('Open311 in JSON', async () => {
    const [one] = (await jsonOf(await app.request(`/open311/v2/requests/${refs.form}.json`))) as { description: string; status_notes: string }[];
    expect(one!.description).toBe(P.summary);
    expect(one!.status_notes).toContain(P.reply2);
    const list = (await jsonOf(await app.request('/open311/v2/requests.json'))) as { service_request_id: string }[];
    // Only the published complaint, by its reference number.
    expect(list.map((r) => r.service_request_id)).toEqual([refs.form]);
  });

  it('Open311 in XML: only Open311’s elements, the text escaped', async () => {
    const ELEMENTS = new Set(['service_requests', 'request', 'service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url']);
    for (const path of [`/open311/v2/requests/${refs.form}.xml`, '/open311/v2/requests.xml']) {
      const res = await app.request(path);
      expect(res.headers.get('Content-Type')).toMatch(/xml/);
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      const xml = (await res.text()).replace(/^<\?xml[^>]*\?>/, '');
      const names = [...xml.matchAll(/<\/?([^\s>/]+)\s*\/?>/g)].map((m) => m[1]!);
      expect(names.filter((n) => !ELEMENTS.has(n))).toEqual([]);
      expect(xml.replace(/<\/?[a-z_]+\/?>/g, '')).not.toMatch(/[<>]/);
      const xmlEscape = (t: string) => t.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
      expect(xml).toContain(`<description>${xmlEscape(P.summary)}</description>`);
      expect(xml).toContain(xmlEscape(P.reply2));
    }
  });

  it('search results: snippets and titles as escaped HTML with <mark> only, text verbatim; CSV verbatim', async () => {
    const body = (await jsonOf(await app.request(`/api/search?q=${encodeURIComponent('锅炉')}`))) as {
      results: { id: string; title: string; titleHtml: string; snippets: { text: string; html: string }[] }[];
    };
    const hit = body.results.find((r) => r.id === `complaint:${refs.form}`);
    expect(hit, 'the published complaint is found').toBeDefined();
    const decode = (html: string) => html.replace(/<\/?mark>/g, '').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&(lt|gt|amp|quot|#39);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" })[e]!);
    for (const [html, text] of [[hit!.titleHtml, hit!.title], ...hit!.snippets.map((s) => [s.html, s.text] as const)] as const) {
      expect(html.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
      expect(decode(html)).toBe(text);
    }
    expect(hit!.title).toContain(P.summary.slice(0, 20));
    expect(hit!.snippets.map((s) => s.text).join('')).toContain('[SUM]<script>');
    const csv = await csvOf(await app.request(`/api/search?q=${encodeURIComponent('锅炉')}&format=csv`));
    // Column names: the field ids (or their Chinese labels, should the header change).
    const row = csv.find((r) => (r.id ?? r['记录编号']) === `complaint:${refs.form}`);
    expect(row?.title ?? row?.['标题']).toBe(hit!.title);
  });
});
