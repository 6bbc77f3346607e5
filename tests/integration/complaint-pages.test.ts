/**
 * The complaint pages and the staff area, end to end through the Hono app on
 * a real libSQL file: the form without JavaScript, the receipt and tracking,
 * handling by staff with roles and CSRF, publication, objections.
 */
import { frameOf, tablesOf } from '../support/markup.ts';
import { createSiteApp } from '../support/site.ts';
import { deflateSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, complaintPhotos, complaints } from '../../db/schema.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { clockColumns } from '../../src/domain/complaint-handling.ts';
import type { ComplaintState } from '../../src/domain/complaint-states.ts';
import { memoryPhotoStore, testApi, testReference, type TestApi, validComplaintForm } from '../support/api.ts';

let api: TestApi;
let photos: ReturnType<typeof memoryPhotoStore>;
const PASSWORD = 'correct horse battery staple';
/** A notice window made up for the test (the real content has none open). */
const NOTICE = { itemId: 'wuwei-2020-01', title: '测试用公示', noticeFrom: '2026-11-01', noticeTo: '2026-11-30', signedOffOn: null, objectionContact: null };

beforeEach(async () => {
  photos = memoryPhotoStore();
  const reference = testReference();
  reference.notices.push(NOTICE);
  api = await testApi({ photos, reference, now: () => new Date('2026-11-23T04:00:00Z') });
  await createStaffUser(api.db, { username: 'admin', displayName: '管理员', role: 'admin', password: PASSWORD });
  await createStaffUser(api.db, { username: 'housing', displayName: '住建经办', role: 'handler', unit: 'wuwei-housing', password: PASSWORD });
  await createStaffUser(api.db, { username: 'ecology', displayName: '生态经办', role: 'handler', unit: 'wuwei-ecology', password: PASSWORD });
  await createStaffUser(api.db, { username: 'viewer', displayName: '只读', role: 'viewer', password: PASSWORD });
});
afterEach(() => api.close());

const FORM = validComplaintForm('form-key-0123456789');

function formBody(fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return body;
}

function postForm(path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  return api.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: formBody(fields) });
}

async function submit(fields: Record<string, string | string[]> = FORM) {
  const res = await postForm('/complaints/new/', fields);
  expect(res.status).toBe(303);
  const code = res.headers.get('Location')!.match(/track\/([A-Z0-9]{13})\//)![1]!;
  return code;
}

/** A tiny PNG with a tEXt chunk that must not survive. */
function pngWithText(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', new TextEncoder().encode('Location\u000036.1N 102.6E home')),
    chunk('IDAT', new Uint8Array(deflateSync(Buffer.from([0, 0])))),
    chunk('IEND', new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}
/** The PNG of pngWithText, announcing another size in its header (CRC updated): the pixels are never decoded. */
function pngOfSize(width: number, height: number): Uint8Array {
  const png = pngWithText();
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(png.subarray(12, 29)));
  return png;
}

interface BrowserFile {
  filename: string;
  bytes: Uint8Array;
  type?: string;
}

/**
 * A multipart body written as a browser writes it, so the photo parts are
 * exactly as given: an untouched file input is `filename=""`, type
 * application/octet-stream and no bytes; file names are raw UTF-8.
 */
function browserMultipart(fields: Record<string, string | string[]>, files: BrowserFile[]): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = '----WebKitFormBoundaryq8WbFiYOJwVrmB4c';
  const text = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(fields)) {
    for (const v of [value].flat()) parts.push(text.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
  }
  for (const file of files) {
    parts.push(text.encode(`--${boundary}\r\nContent-Disposition: form-data; name="photos"; filename="${file.filename}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`), file.bytes, text.encode('\r\n'));
  }
  parts.push(text.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (body.set(p, at), (at += p.length));
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

async function login(username: string) {
  const res = await postForm('/staff/login/', { username, password: PASSWORD });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
  const page = await (await api.app.request('/staff/', { headers: { Cookie: cookie } })).text();
  const csrf = page.match(/name="_csrf" value="([^"]+)"/)![1]!;
  return { cookie, csrf };
}

async function idOf(code: string) {
  return (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, code) }))!.id;
}

async function act(session: { cookie: string; csrf: string }, id: string, fields: Record<string, string>) {
  return postForm(`/staff/complaints/${id}/action`, { _csrf: session.csrf, ...fields }, { Cookie: session.cookie });
}

describe('the complaint form without JavaScript', () => {
  it('is served with every field, a fresh form key and the honeypot', async () => {
    const res = await api.app.request('/complaints/new/');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    // The site's layout with the page's own metadata, for a link shared in WeChat.
    const frame = frameOf(page);
    expect(frame).toMatchObject({ title: '投诉举报 - 督察整改公开平台', ogTitle: '投诉举报', navigation: true, skipLink: true, stylesheet: true });
    expect(new URL(frame.canonical!).pathname).toBe('/complaints/new/');
    expect(frame.ogDescription).toContain('在线举报');
    for (const name of ['pollutionTypes', 'region', 'address', 'latitude', 'longitude', 'observedAt', 'description', 'suspectedPolluter', 'photos', 'anonymous', 'name', 'phone', 'email', 'consentPublish', 'website', 'formKey']) {
      expect(page, name).toContain(`name="${name}"`);
    }
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toContain('甘肃省武威市凉州区');
  });

  it('shows every error in a summary and beside its field, keeping (escaped) what was typed', async () => {
    const res = await postForm('/complaints/new/', { ...FORM, description: '<b>太短</b>', phone: '123', pollutionTypes: [] });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('<title>错误：投诉举报');
    expect(page).toMatch(/class="error-summary"[^>]*role="alert"/);
    expect(page).toContain('<a href="#f-description">问题描述至少 10 个字</a>');
    expect(page).toContain('<a href="#f-pollutionTypes">请至少选择一种污染类型</a>');
    expect(page).toContain('<a href="#f-phone">请填写正确的手机或固定电话号码</a>');
    expect(page).toContain('id="f-description-error"');
    expect(page).toContain('&lt;b&gt;太短&lt;/b&gt;</textarea>');
    expect(page).not.toContain('<b>太短</b>');
    expect(page).toContain('value="凉州区某工业园区东侧"');
    expect(page).toContain('value="form-key-0123456789"');
    expect(await api.db.$count(complaints)).toBe(0);
  });

  it('stores a valid complaint and sends the browser to the receipt (303)', async () => {
    const code = await submit();
    const receipt = await (await api.app.request(`/complaints/track/${code}/?new=1`)).text();
    expect(receipt).toContain('举报已提交');
    expect(receipt).toContain(code.match(/.{1,4}/g)!.join('-'));
    // The public page shows no personal details and not what was written.
    for (const secret of ['张三', '13912345678', '凉州区某工业园区东侧', '烟囱冒黑烟']) expect(receipt).not.toContain(secret);
    const row = await api.db.query.complaints.findFirst();
    expect(row!.contactCiphertext).not.toContain('张三');
  });

  it('answers a resubmitted form (same form key) with the same receipt, storing it once', async () => {
    const first = await submit();
    const second = await submit();
    expect(second).toBe(first);
    expect(await api.db.$count(complaints)).toBe(1);
  });

  it('answers the script in JSON in the API error format', async () => {
    const bad = await postForm('/complaints/new/', { ...FORM, region: 'nowhere' }, { Accept: 'application/json' });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: { code: 'validation_failed', fields: { region: '请选择地区' } } });
    const ok = await postForm('/complaints/new/', FORM, { Accept: 'application/json' });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ stateLabel: '已提交', trackUrl: expect.stringMatching(/^\/complaints\/track\/[A-Z2-9]{13}\/$/) });
  });

  it('refuses other content types, oversized bodies and the honeypot', async () => {
    const json = await api.app.request('/complaints/new/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    const huge = await api.app.request('/complaints/new/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(20 * 1024 * 1024) },
      body: formBody({ description: 'x'.repeat(16 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    const bot = await postForm('/complaints/new/', { ...FORM, website: 'http://spam.example' });
    expect(bot.status).toBe(422);
    expect(await api.db.$count(complaints)).toBe(0);
  });

  it('checks photos by content and strips their metadata before storing them', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries(FORM)) for (const x of [v].flat()) form.append(k, x);
    form.append('photos', new File([pngWithText() as Uint8Array<ArrayBuffer>], 'IMG_0001.jpg', { type: 'image/jpeg' }));
    const res = await api.app.request('/complaints/new/', { method: 'POST', body: form });
    expect(res.status).toBe(303);
    const [photo] = await api.db.select().from(complaintPhotos);
    expect(photo!.contentType).toBe('image/png');
    const stored = photos.stored.get(photo!.storageKey)!;
    expect(new TextDecoder('latin1').decode(stored.bytes)).not.toContain('Location');

    const text = new FormData();
    for (const [k, v] of Object.entries({ ...FORM, formKey: 'another-form-key-123' })) for (const x of [v].flat()) text.append(k, x);
    text.append('photos', new File(['not an image'], 'photo.jpg', { type: 'image/jpeg' }));
    const refused = await api.app.request('/complaints/new/', { method: 'POST', body: text });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('#f-photos');
  });

  it('treats a file input left empty as no photo, but refuses a named empty file, a broken or non-image file and one over 40 megapixels, naming the file', async () => {
    let client = 20;
    const post = (formKey: string, photo: BrowserFile, headers: Record<string, string> = {}) => {
      const { body, contentType } = browserMultipart({ ...FORM, formKey }, [photo]);
      // One client address per request: these are not what the rate limit is about.
      return api.app.request('/complaints/new/', { method: 'POST', body, headers: { 'Content-Type': contentType, 'X-Test-Client': `198.51.100.${client++}`, ...headers } });
    };
    const none = await post('untouched-file-input', { filename: '', bytes: new Uint8Array() });
    expect(none.status).toBe(303);
    expect(photos.stored.size).toBe(0);

    const cases: [string, Uint8Array, string][] = [
      ['空白.jpg', new Uint8Array(), '文件是空的（0 字节），请重新选择'],
      ['IMG_0002.png', pngWithText().subarray(0, 40), '照片文件已损坏或不完整，请重新选择'],
      ['notes.jpg', new TextEncoder().encode('not an image at all'), '只能上传 JPEG、PNG 或 WebP 格式的照片'],
      ['panorama.png', pngOfSize(30_000, 30_000), '照片为 30000×30000 像素（约 90000 万像素），超过每张 4000 万像素的上限，请缩小后重新上传'],
    ];
    for (const [i, [filename, bytes, message]] of cases.entries()) {
      const photo = { filename, bytes, type: 'image/jpeg' };
      const json = await post(`bad-photo-json-${i}`, photo, { Accept: 'application/json' });
      expect(json.status, filename).toBe(422);
      expect(await json.json()).toMatchObject({ error: { code: 'validation_failed', fields: { photos: `照片“${filename}”：${message}` } } });
      const page = await post(`bad-photo-page-${i}`, photo);
      expect(page.status, filename).toBe(422);
      const html = await page.text();
      expect(html).toContain('#f-photos');
      expect(html).toContain(`照片“${filename}”：${message}`);
    }
    expect(await api.db.$count(complaints)).toBe(1);
    expect(await api.db.$count(complaintPhotos)).toBe(0);
    expect(photos.stored.size).toBe(0);
  });
});

describe('tracking', () => {
  it('looks up a code as typed, and says clearly when there is none', async () => {
    const code = await submit();
    const typed = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    const lookup = await api.app.request(`/complaints/track/?code=${typed}`);
    expect(lookup.status).toBe(303);
    expect(lookup.headers.get('Location')).toBe(`/complaints/track/${code}/`);
    const bad = await api.app.request('/complaints/track/?code=abc');
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('查询码应为 13 位字母和数字');
    const missing = await api.app.request('/complaints/track/ABCDEFGHJKLMN/');
    expect(missing.status).toBe(404);
  });
});

describe('handling by staff', () => {
  it('refuses the staff area without a session, and state changes without the CSRF token', async () => {
    const anon = await api.app.request('/staff/');
    expect(anon.status).toBe(303);
    expect(anon.headers.get('Location')).toBe('/staff/login/');
    const code = await submit();
    const id = await idOf(code);
    const admin = await login('admin');
    const forged = await postForm(`/staff/complaints/${id}/action`, { action: 'accept' }, { Cookie: admin.cookie });
    expect(forged.status).toBe(403);
    const crossSite = await postForm(`/staff/complaints/${id}/action`, { _csrf: admin.csrf, action: 'accept' }, { Cookie: admin.cookie, Origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await api.db.query.complaints.findFirst())!.state).toBe('submitted');
  });

  it('takes a complaint from submission to 已办结 and publication, with history, audit and the public list', async () => {
    const code = await submit();
    const id = await idOf(code);
    const admin = await login('admin');
    const housing = await login('housing');
    const ecology = await login('ecology');
    const viewer = await login('viewer');

    // A handler cannot see a complaint not passed to their unit.
    expect((await api.app.request(`/staff/complaints/${id}/`, { headers: { Cookie: housing.cookie } })).status).toBe(404);
    expect((await act(admin, id, { action: 'accept' })).status).toBe(303);
    expect((await act(admin, id, { action: 'assign', unit: 'wuwei-housing' })).status).toBe(303);
    // Handlers of other units and viewers cannot act on it.
    expect((await act(ecology, id, { action: 'start' })).status).toBe(404);
    expect((await act(viewer, id, { action: 'start' })).status).toBe(403);
    expect((await act(housing, id, { action: 'start' })).status).toBe(303);
    // A handler may not triage.
    expect((await act(housing, id, { action: 'mark-duplicate', of: code })).status).toBe(403);
    const extend = await act(housing, id, { action: 'extend', days: '20', reason: '需要第三方检测' });
    expect(extend.status).toBe(303);
    const again = await act(housing, id, { action: 'extend', days: '5', reason: '再延期' });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('办理期限只能延长一次');
    const noVerdict = await act(housing, id, { action: 'close', reply: '已处理' });
    expect(noVerdict.status).toBe(422);
    const longNote = await act(housing, id, { action: 'close', verdict: '属实', reply: '已处理', internalNote: '备'.repeat(501) });
    expect(longNote.status).toBe(422);
    expect(await longNote.text()).toContain('内部备注不能超过 500 个字');
    const oversized = await act(housing, id, { action: 'close', verdict: '属实', reply: '备'.repeat(30_000) });
    expect(oversized.status).toBe(413);
    expect((await act(housing, id, { action: 'close', verdict: '属实', reply: '已责令停产整改，罚款五万元。', internalNote: '内部：老板是熟人' })).status).toBe(303);
    const enforcement = await postForm(`/staff/complaints/${id}/enforcement`, { _csrf: housing.csrf, ordered: '1', fineYuan: '50000', summoned: '' }, { Cookie: housing.cookie });
    expect(enforcement.status).toBe(303);

    // The reporter sees each step and the public replies, never internal notes.
    const track = await (await api.app.request(`/complaints/track/${code}/`)).text();
    expect(track).toContain('已办结');
    expect(track).toContain('办理期限延长 20 天：需要第三方检测');
    expect(track).toContain('核查结论：属实。已责令停产整改，罚款五万元。');
    expect(track).toContain('市住建局');
    expect(track).not.toContain('老板是熟人');

    // Only admins publish, and only what staff wrote.
    const publication = { summary: '反映凉州区某企业夜间排放黑烟。', investigation: '经查，该企业锅炉除尘设施未运行。', result: '责令整改，罚款5万元。' };
    expect((await postForm(`/staff/complaints/${id}/publish`, { _csrf: housing.csrf, do: 'publish', ...publication }, { Cookie: housing.cookie })).status).toBe(403);
    expect((await postForm(`/staff/complaints/${id}/publish`, { _csrf: admin.csrf, do: 'publish', ...publication }, { Cookie: admin.cookie })).status).toBe(303);

    const list = await (await api.app.request('/complaints/?region=gansu-wuwei')).text();
    expect(list).toContain('经查，该企业锅炉除尘设施未运行。');
    expect(list).toContain('责令整改 1 家，罚款 50000 元');
    expect(list).not.toContain('张三');
    expect(list).not.toContain('凉州区某工业园区东侧');
    const elsewhere = await (await api.app.request('/complaints/?region=gansu-lanzhou')).text();
    expect(elsewhere).toContain('data-published-total>0<');

    const csv = await api.app.request('/api/complaints/published?format=csv');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('交办问题基本情况');
    expect(text).toContain('属实');
    const json = (await (await api.app.request('/api/complaints/published')).json()) as { rows: Record<string, unknown>[] };
    expect(json.rows).toHaveLength(1);
    expect(JSON.stringify(json)).not.toMatch(/张三|13912345678|工业园区东侧/);
    expect((await api.app.request('/api/complaints/published?region=mars')).status).toBe(400);

    // Published means searchable, in the same transaction; withdrawn means gone from search.
    const found = (await (await api.app.request('/api/search?q=' + encodeURIComponent('锅炉除尘') + '&region=gansu-wuwei')).json()) as { results: { id: string }[] };
    // Indexed under the public reference number, never under the reporter's tracking code.
    const { reference: ref } = (await api.db.query.complaints.findFirst({ where: eq(complaints.id, id) }))!;
    expect(found.results.map((r) => r.id)).toContain(`complaint:${ref}`);
    expect(JSON.stringify(found)).not.toContain(code);
    expect((await postForm(`/staff/complaints/${id}/publish`, { _csrf: admin.csrf, do: 'unpublish' }, { Cookie: admin.cookie })).status).toBe(303);
    const gone = (await (await api.app.request('/api/search?q=' + encodeURIComponent('锅炉除尘'))).json()) as { results: { id: string }[] };
    expect(gone.results).toEqual([]);
    expect(await (await api.app.request('/complaints/')).text()).toContain('data-published-total>0<');

    const actions = (await api.db.select().from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['complaint_accept', 'complaint_assign', 'complaint_start', 'complaint_extend', 'complaint_close', 'complaint_enforcement', 'complaint_publish']));
  });

  it('audits every view of the reporter’s contact details, and refuses it to viewers', async () => {
    const code = await submit();
    const id = await idOf(code);
    const admin = await login('admin');
    const viewer = await login('viewer');
    const shown = await postForm(`/staff/complaints/${id}/contact`, { _csrf: admin.csrf }, { Cookie: admin.cookie });
    expect(await shown.text()).toContain('13912345678');
    const refused = await postForm(`/staff/complaints/${id}/contact`, { _csrf: viewer.csrf }, { Cookie: viewer.cookie });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('13912345678');
    const views = (await api.db.select().from(auditLog)).filter((a) => a.action === 'view_contact');
    expect(views).toHaveLength(1);
  });

  it('shows each reader exactly the forms the state model allows them', async () => {
    const code = await submit();
    const id = await idOf(code);
    const admin = await login('admin');
    const housing = await login('housing');
    const viewer = await login('viewer');
    const formsOf = async (session: { cookie: string }) =>
      [...(await (await api.app.request(`/staff/complaints/${id}/`, { headers: { Cookie: session.cookie } })).text()).matchAll(/<form[^>]*data-action="([^"]+)"/g)].map((m) => m[1]);
    expect(await formsOf(admin)).toEqual(['accept', 'reject', 'mark-duplicate']);
    expect(await formsOf(viewer)).toEqual([]);
    await act(admin, id, { action: 'accept' });
    await act(admin, id, { action: 'assign', unit: 'wuwei-housing' });
    expect(await formsOf(housing)).toEqual(['start', 'extend', 'close-partially', 'close', 'enforcement']);
    await act(housing, id, { action: 'close-partially', verdict: '部分属实', reply: '已责令整改，持续跟踪。' });
    expect(await formsOf(admin)).toEqual(['extend', 'close', 'enforcement', 'publish']);
    expect(await formsOf(housing)).toEqual(['extend', 'close', 'enforcement']);
    // The one extension taken, it is no longer offered.
    expect((await act(housing, id, { action: 'extend', days: '10', reason: '等待检测报告' })).status).toBe(303);
    expect(await formsOf(housing)).toEqual(['close', 'enforcement']);
    // The reporter may dispute a 阶段性办结 result from the tracking page.
    expect(await (await api.app.request(`/complaints/track/${code}/`)).text()).toContain(`action="/complaints/track/${code}/dispute"`);
    expect(await formsOf(viewer)).toEqual([]);
  });

  it('keeps a published record withdrawable after the complaint is reopened and no longer publishable', async () => {
    const code = await submit();
    const id = await idOf(code);
    const admin = await login('admin');
    await act(admin, id, { action: 'accept' });
    await act(admin, id, { action: 'assign', unit: 'wuwei-housing' });
    await act(admin, id, { action: 'close', verdict: '属实', reply: '已整改。' });
    const publication = { summary: '反映某企业夜间排放黑烟。', investigation: '经查属实。', result: '责令整改。' };
    expect((await postForm(`/staff/complaints/${id}/publish`, { _csrf: admin.csrf, do: 'publish', ...publication }, { Cookie: admin.cookie })).status).toBe(303);
    expect((await postForm(`/complaints/track/${code}/dispute`, { note: '当晚仍在冒黑烟，附近居民均可作证。' })).status).toBe(303);
    expect((await act(admin, id, { action: 'reopen', reason: '重新核查' })).status).toBe(303);
    const page = await (await api.app.request(`/staff/complaints/${id}/`, { headers: { Cookie: admin.cookie } })).text();
    expect(page).not.toContain('data-action="publish"');
    expect(page).toContain('data-action="unpublish"');
    expect((await postForm(`/staff/complaints/${id}/publish`, { _csrf: admin.csrf, do: 'unpublish' }, { Cookie: admin.cookie })).status).toBe(303);
    expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, id) }))!.publishedAt).toBeNull();
    expect(await (await api.app.request(`/staff/complaints/${id}/`, { headers: { Cookie: admin.cookie } })).text()).not.toContain('data-action="unpublish"');
  });

  it('counts a 阶段性办结 complaint as open in the on-time rates until it closes', async () => {
    const admin = await login('admin');
    const housing = await login('housing');
    const rate = async () => {
      const page = await (await api.app.request('/staff/', { headers: { Cookie: admin.cookie } })).text();
      const [, onTime, counted] = tablesOf(page).find((t) => t.caption === '各承办单位按期办结率')!.rows.find((r) => r[0] === '市住建局')!;
      return { onTime: Number(onTime), counted: Number(counted) };
    };
    const handled = async (formKey: string) => {
      const id = await idOf(await submit({ ...FORM, formKey }));
      await act(admin, id, { action: 'accept' });
      await act(admin, id, { action: 'assign', unit: 'wuwei-housing' });
      expect((await act(housing, id, { action: 'close-partially', verdict: '部分属实', reply: '已责令整改，持续跟踪。' })).status).toBe(303);
      return id;
    };
    const inTime = await handled('on-time-form-key-0001');
    // Partly closed, still within its 60 days: not counted yet (it used to count as closed on time).
    expect(await rate()).toEqual({ onTime: 0, counted: 0 });
    // Partly closed and past its deadline: counted as overdue, not as closed.
    const late = await handled('on-time-form-key-0002');
    // An earlier acceptance, written as the service writes a step: with the deadlines stored from it.
    const lateRow = (await api.db.query.complaints.findFirst({ where: eq(complaints.id, late) }))!;
    const acceptedAt = '2026-08-01T00:00:00.000Z';
    await api.db.update(complaints).set({ acceptedAt, ...clockColumns({ state: lateRow.state as ComplaintState, submittedAt: lateRow.createdAt, acceptedAt, extendedDays: lateRow.extendedDays }) }).where(eq(complaints.id, late));
    expect(await rate()).toEqual({ onTime: 0, counted: 1 });
    // Closed within its deadline: now counted, on time.
    expect((await act(housing, inTime, { action: 'close', verdict: '属实', reply: '已整改到位。' })).status).toBe(303);
    expect(await rate()).toEqual({ onTime: 1, counted: 2 });
  });

  it('lets the reporter dispute a closure, and links duplicates both ways', async () => {
    const code = await submit();
    const id = await idOf(code);
    const admin = await login('admin');
    await act(admin, id, { action: 'accept' });
    await act(admin, id, { action: 'assign', unit: 'wuwei-housing' });
    await act(admin, id, { action: 'close', verdict: '不属实', reply: '现场未发现问题。' });
    const empty = await postForm(`/complaints/track/${code}/dispute`, { note: '' });
    expect(empty.status).toBe(422);
    expect((await postForm(`/complaints/track/${code}/dispute`, { note: '当晚仍在冒黑烟，附近居民均可作证。' })).status).toBe(303);
    expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, id) }))!.state).toBe('disputed');
    expect((await act(admin, id, { action: 'reopen', reason: '投诉人有异议，重新核查' })).status).toBe(303);

    const later = await submit({ ...FORM, formKey: 'second-form-key-0001', description: '同一家工厂今晚又在冒黑烟，味道很大。' });
    // Duplicates are named by their public reference numbers: neither reporter learns the other's tracking code.
    const refOf = async (trackingCode: string) => (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, trackingCode) }))!.reference!;
    await act(admin, await idOf(later), { action: 'mark-duplicate', of: await refOf(code) });
    const original = await (await api.app.request(`/complaints/track/${code}/`)).text();
    expect(original).toContain(await refOf(later));
    expect(original).not.toContain(later);
    const duplicate = await (await api.app.request(`/complaints/track/${later}/`)).text();
    expect(duplicate).toContain(await refOf(code));
    expect(duplicate).not.toContain(code);
    expect(duplicate).toContain('重复举报');
  });
});

describe('objections during a sign-off notice window', () => {
  it('takes an objection with a receipt, and signs off only after the window and a published disposition', async () => {
    const page = await (await api.app.request(`/objections/${NOTICE.itemId}/`)).text();
    expect(page).toContain('销号公示中');
    expect(page).toContain('提出异议');
    const short = await postForm(`/objections/${NOTICE.itemId}/`, { text: '太短', formKey: 'objection-key-00001' });
    expect(short.status).toBe(422);
    const res = await postForm(`/objections/${NOTICE.itemId}/`, { text: '整改后排污口仍有污水直排，十一月二十日拍到。', name: '李四', formKey: 'objection-key-00001' });
    expect(res.status).toBe(303);
    const again = await postForm(`/objections/${NOTICE.itemId}/`, { text: '整改后排污口仍有污水直排，十一月二十日拍到。', name: '李四', formKey: 'objection-key-00001' });
    expect(again.headers.get('Location')).toBe(res.headers.get('Location'));
    const receipt = await (await api.app.request(res.headers.get('Location')!)).text();
    expect(receipt).toContain('异议已提交');
    expect(receipt).not.toContain('李四');

    // After the window: pending until the objection has a published disposition.
    const after = {
      app: createSiteApp({
        production: false,
        complaints: {
          db: api.db, contactKey: api.contactKey, clientSalt: 'test-salt', clientAddress: () => '203.0.113.9',
          reference: { ...testReference(), notices: [{ ...NOTICE, signedOffOn: '2026-12-05' }] },
          now: () => new Date('2026-12-10T04:00:00Z'),
        },
      }),
    };
    const pending = await (await after.app.request(`/objections/${NOTICE.itemId}/`)).text();
    expect(pending).toContain('公示期满，异议处理中');
    expect(pending).not.toContain('提出异议');
    const admin = await (async () => {
      const r = await after.app.request('/staff/login/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: formBody({ username: 'admin', password: PASSWORD }) });
      const cookie = r.headers.get('Set-Cookie')!.split(';')[0]!;
      const list = await (await after.app.request('/staff/objections/', { headers: { Cookie: cookie } })).text();
      return { cookie, csrf: list.match(/name="_csrf" value="([^"]+)"/)![1]!, id: list.match(/action="\/staff\/objections\/([^"]+)"/)![1]! };
    })();
    const disposed = await after.app.request(`/staff/objections/${admin.id}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: admin.cookie }, body: formBody({ _csrf: admin.csrf, disposition: '经现场核查，排污口已封堵，异议不成立。' }) });
    expect(disposed.status).toBe(303);
    const done = await (await after.app.request(`/objections/${NOTICE.itemId}/`)).text();
    expect(done).toContain('data-signoff-state="signed-off"');
    expect(done).toContain('经现场核查，排污口已封堵，异议不成立。');
  });
});

describe('the optional CAPTCHA hook', () => {
  it('is off by default, and when configured refuses a submission without a good token', async () => {
    const checked: string[] = [];
    const guarded = createSiteApp({
      production: false,
      complaints: {
        db: api.db, contactKey: api.contactKey, clientSalt: 'test-salt', clientAddress: () => '203.0.113.5', reference: testReference(),
        captcha: { field: 'captchaToken', verify: async (token) => (checked.push(token), token === 'good') },
      },
    });
    const post = (fields: Record<string, string | string[]>) =>
      guarded.request('/complaints/new/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: formBody(fields) });
    const missing = await post(FORM);
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('请完成人机验证');
    expect((await post({ ...FORM, captchaToken: 'bad' })).status).toBe(422);
    expect((await post({ ...FORM, captchaToken: 'good' })).status).toBe(303);
    expect(checked).toEqual(['bad', 'good']);
    expect(await api.db.$count(complaints)).toBe(1);
  });
});
