/**
 * Regression tests for the complaint channel's security review (issue 11), on a real libSQL file:
 * two identifiers (a public reference number and the reporter's secret), reporter text not
 * published unreviewed, idempotency keys bound to their body, the integer version lock,
 * enforcement figures after acceptance only, objection contacts for admins, and the audit log
 * kept append-only by the database.
 */
import { frameOf } from '../support/markup.ts';
import { createSiteApp } from '../support/site.ts';
import { mkdtempSync, readdirSync, rmSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, complaints, objections } from '../../db/schema.ts';
import { ConflictError, reindexPublished, takeAction } from '../../functions/complaint-service.ts';
import { openDatabase } from '../../functions/db.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { normaliseReference } from '../../src/domain/complaint.ts';
import { postJson, testApi, testReference, validComplaint, validComplaintForm, type TestApi } from '../support/api.ts';

const PASSWORD = 'correct horse battery staple';
const NOW = new Date('2026-11-23T04:00:00Z');
const NOTICE = { itemId: 'wuwei-2020-01', title: '测试用公示', noticeFrom: '2026-11-01', noticeTo: '2026-11-30', signedOffOn: null, objectionContact: null };

let api: TestApi;
beforeEach(async () => {
  const reference = testReference();
  reference.notices.push(NOTICE);
  // A fixed clock: every write happens "in the same millisecond", which the old updated_at lock could not tell apart.
  api = await testApi({ reference, now: () => NOW });
  for (const [username, role, unit] of [['admin', 'admin', undefined], ['housing', 'handler', 'wuwei-housing'], ['viewer', 'viewer', undefined]] as const) {
    await createStaffUser(api.db, { username, displayName: username, role, unit, password: PASSWORD });
  }
});
afterEach(() => api.close());

function formBody(fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return body.toString();
}
function postForm(path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  return api.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: formBody(fields) });
}
async function login(username: string) {
  const res = await postForm('/staff/login/', { username, password: PASSWORD });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
  const page = await (await api.app.request('/staff/', { headers: { Cookie: cookie } })).text();
  return { cookie, csrf: page.match(/name="_csrf" value="([^"]+)"/)![1]! };
}
type Session = Awaited<ReturnType<typeof login>>;
const rowOf = async (trackingCode: string) => (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, trackingCode) }))!;
async function submitJson(overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await postJson(api.app, '/api/complaints', validComplaint(overrides), headers);
  expect(res.status).toBe(201);
  return (await res.json()) as { reference: string; trackingCode: string; trackUrl: string };
}
const staffPost = (s: Session, path: string, fields: Record<string, string>) => postForm(path, { _csrf: s.csrf, ...fields }, { Cookie: s.cookie });
const act = async (s: Session, trackingCode: string, fields: Record<string, string>) => {
  const row = await rowOf(trackingCode);
  return staffPost(s, `/staff/complaints/${row.id}/action`, { version: String(row.version), ...fields });
};

/** Takes a complaint to 已办结 and publishes its record; returns the tracking code and reference. */
async function publishedComplaint(admin: Session) {
  const receipt = await submitJson();
  await act(admin, receipt.trackingCode, { action: 'accept' });
  await act(admin, receipt.trackingCode, { action: 'assign', unit: 'wuwei-housing' });
  await act(admin, receipt.trackingCode, { action: 'close', verdict: '属实', reply: '已责令整改。' });
  const row = await rowOf(receipt.trackingCode);
  const res = await staffPost(admin, `/staff/complaints/${row.id}/publish`, { version: String(row.version), summary: '反映某厂锅炉冒黑烟', investigation: '经查属实', result: '责令整改' });
  expect(res.status).toBe(303);
  return receipt;
}

describe('two identifiers: a public reference number and the reporter’s secret', () => {
  it('numbers complaints per year in order of receipt, and gives the reporter a separate unguessable tracking code', async () => {
    const first = await submitJson();
    const second = await submitJson({ description: '第二件举报：河道里有油污，气味很重。' });
    expect(first.reference).toBe('2026-000001');
    expect(second.reference).toBe('2026-000002');
    // 13 characters of a 32-letter alphabet: 65 random bits.
    expect(first.trackingCode).toMatch(/^[0-9A-Z]{13}$/);
    expect(first.trackingCode).not.toContain(first.reference);
    expect(first.trackUrl).toBe(`/complaints/track/${first.trackingCode}/`);
    expect(normaliseReference('２０２６－０００００１')).toBe('2026-000001');
  });

  it('shows the tracking code once on the receipt, and on no public page, list, download, search result or staff screen', async () => {
    const admin = await login('admin');
    const receipt = await publishedComplaint(admin);
    const formatted = receipt.trackingCode.match(/.{1,4}/g)!.join('-');
    const onReceipt = await (await api.app.request(`${receipt.trackUrl}?new=1`)).text();
    expect(onReceipt).toContain(formatted);
    expect(onReceipt).toContain(receipt.reference);
    const tracking = await api.app.request(receipt.trackUrl);
    expect(await tracking.text()).not.toContain(formatted);
    expect(tracking.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(tracking.headers.get('Cache-Control')).toContain('no-store');

    const row = await rowOf(receipt.trackingCode);
    const publicPaths = ['/complaints/', `/complaints/${receipt.reference}/`, '/api/complaints/published', '/api/complaints/published?format=csv', `/api/search?q=${encodeURIComponent('锅炉')}`, `/api/search?q=${encodeURIComponent('锅炉')}&format=csv`];
    for (const path of publicPaths) {
      const res = await api.app.request(path);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      expect(text, path).toContain(receipt.reference);
      expect(text, path).not.toContain(receipt.trackingCode);
      expect(text, path).not.toContain(formatted);
    }
    for (const path of ['/staff/', `/staff/complaints/${row.id}/`]) {
      const text = await (await api.app.request(path, { headers: { Cookie: admin.cookie } })).text();
      expect(text, path).toContain(receipt.reference);
      expect(text, path).not.toContain(formatted);
    }
  });

  it('serves the public record of a published complaint by its reference number, and the same 404 for an unpublished or unknown one', async () => {
    const admin = await login('admin');
    const published = await publishedComplaint(admin);
    const page = await api.app.request(`/complaints/${published.reference}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('反映某厂锅炉冒黑烟');
    const unpublished = await submitJson({ description: '这段举报内容不应出现在任何公开页面上。' });
    const hidden = await api.app.request(`/complaints/${unpublished.reference}/`);
    const unknown = await api.app.request('/complaints/2026-999999/');
    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await hidden.text()).not.toContain('这段举报内容');
    // The reference number grants nothing: it does not open the reporter's tracking page.
    expect((await api.app.request(`/complaints/track/${unpublished.reference}/`)).status).toBe(404);
    expect((await api.app.request(`/api/complaints/${unpublished.reference}`)).status).toBe(404);
  });

  it('lets staff mark a duplicate by reference number, and find a complaint by it', async () => {
    const admin = await login('admin');
    const first = await submitJson();
    const later = await submitJson({ description: '同一家工厂今晚又在冒黑烟，味道很大。' });
    expect((await act(admin, later.trackingCode, { action: 'mark-duplicate', of: first.reference })).status).toBe(303);
    expect((await rowOf(later.trackingCode)).duplicateOf).toBe(first.reference);
    // A tracking code is not a reference number: it is not accepted in its place.
    const again = await submitJson({ description: '第三件举报，用于检查以查询码标记重复被拒绝。' });
    expect((await act(admin, again.trackingCode, { action: 'mark-duplicate', of: first.trackingCode })).status).toBe(422);
    const queue = await (await api.app.request(`/staff/?code=${first.reference}`, { headers: { Cookie: admin.cookie } })).text();
    expect(queue).toContain('共 1 件');
    expect(await (await api.app.request(`/staff/?code=${first.trackingCode}`, { headers: { Cookie: admin.cookie } })).text()).toContain('共 0 件');
  });
});

describe('reporter-written text is not published verbatim', () => {
  it('shows a dispute publicly as a fixed line, and gives its text to staff only', async () => {
    const admin = await login('admin');
    const receipt = await publishedComplaint(admin);
    const note = '请致电 400-000-0000 领取补偿';
    expect((await postForm(`${receipt.trackUrl}dispute`, { note })).status).toBe(303);
    const tracking = await (await api.app.request(receipt.trackUrl)).text();
    expect(tracking).toContain('投诉人对办理结果提出异议');
    expect(tracking).not.toContain('400-000-0000');
    const view = await (await api.app.request(`/api/complaints/${receipt.trackingCode}`)).text();
    expect(view).not.toContain('400-000-0000');
    const record = await (await api.app.request(`/complaints/${receipt.reference}/`)).text();
    expect(record).not.toContain('400-000-0000');
    const staffView = await (await api.app.request(`/staff/complaints/${(await rowOf(receipt.trackingCode)).id}/`, { headers: { Cookie: admin.cookie } })).text();
    expect(staffView).toContain('400-000-0000');
  });
});

describe('idempotency keys', () => {
  it('refuses the same key with a different body (422 idempotency_key_reused) and stores nothing', async () => {
    const key = 'retry-key-0001';
    await submitJson({}, { 'Idempotency-Key': key });
    const other = await postJson(api.app, '/api/complaints', validComplaint({ description: '另一件完全不同的举报：河边有人倾倒垃圾。' }), { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    expect(await api.db.$count(complaints)).toBe(1);
  });

  it('replays by the key alone: a retry from a new client address returns the first receipt', async () => {
    const key = 'retry-key-0002';
    const first = await submitJson({}, { 'Idempotency-Key': key, 'X-Test-Client': '198.51.100.7' });
    const retry = await postJson(api.app, '/api/complaints', validComplaint(), { 'Idempotency-Key': key, 'X-Test-Client': '203.0.113.50' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotent-Replay')).toBe('true');
    expect(((await retry.json()) as { reference: string }).reference).toBe(first.reference);
    expect(await api.db.$count(complaints)).toBe(1);
  });

  it('asks again under a fresh key when a submitted no-JS form is changed and sent again, keeping what was typed', async () => {
    const form = validComplaintForm('form-key-reuse-0001');
    expect((await postForm('/complaints/new/', form)).status).toBe(303);
    const changed = await postForm('/complaints/new/', { ...form, description: '修改后的举报内容：工厂夜里偷排废水。' });
    expect(changed.status).toBe(422);
    const page = await changed.text();
    expect(page).toContain('这份表单已经提交过一次');
    expect(page).toContain('修改后的举报内容：工厂夜里偷排废水。');
    const freshKey = page.match(/name="formKey" value="([^"]+)"/)![1]!;
    expect(freshKey).not.toBe('form-key-reuse-0001');
    expect((await postForm('/complaints/new/', { ...form, formKey: freshKey, description: '修改后的举报内容：工厂夜里偷排废水。' })).status).toBe(303);
    expect(await api.db.$count(complaints)).toBe(2);
  });
});

describe('the version lock', () => {
  it('refuses a stale staff form with 409, writes nothing, and shows what was typed again', async () => {
    const admin = await login('admin');
    const receipt = await submitJson();
    const shown = await rowOf(receipt.trackingCode);
    expect((await staffPost(admin, `/staff/complaints/${shown.id}/action`, { version: String(shown.version), action: 'accept' })).status).toBe(303);
    // A second form, shown before the first was sent, still names the old version.
    const stale = await staffPost(admin, `/staff/complaints/${shown.id}/action`, { version: String(shown.version), action: 'reject', reason: '不属于本部门职责范围，已告知投诉人向有关部门反映。' });
    expect(stale.status).toBe(409);
    const page = await stale.text();
    // In the site's own layout, as every page (not a bare fragment or a fallback frame).
    expect(frameOf(page)).toMatchObject({ lang: 'zh-CN', title: `投诉 ${shown.reference}（工作人员） - 督察整改公开平台`, robots: 'noindex', navigation: true, skipLink: true, stylesheet: true, headings: [`投诉 ${shown.reference}`] });
    expect(page).toContain('data-stale-form');
    expect(page).toContain('不属于本部门职责范围，已告知投诉人向有关部门反映。');
    expect(page).toContain(`name="version" value="${shown.version + 1}"`);
    const after = await rowOf(receipt.trackingCode);
    expect(after.state).toBe('accepted');
    expect(after.version).toBe(shown.version + 1);
  });

  it('catches two writes from the same read in the same millisecond (the old updated_at check could not)', async () => {
    const receipt = await submitJson();
    const row = await rowOf(receipt.trackingCode);
    const admin = { id: 'admin-test', role: 'admin' as const, unit: null };
    await takeAction(api.db, testReference(), admin, row, { kind: 'accept' }, NOW);
    await expect(takeAction(api.db, testReference(), admin, row, { kind: 'reject', reason: '重复提交' }, NOW)).rejects.toBeInstanceOf(ConflictError);
    expect((await rowOf(receipt.trackingCode)).state).toBe('accepted');
  });

  it('checks the version of enforcement and publication forms too', async () => {
    const admin = await login('admin');
    const receipt = await publishedComplaint(admin);
    const row = await rowOf(receipt.trackingCode);
    const stale = await staffPost(admin, `/staff/complaints/${row.id}/publish`, { version: String(row.version - 1), do: 'unpublish' });
    expect(stale.status).toBe(409);
    expect((await rowOf(receipt.trackingCode)).publishedAt).not.toBeNull();
  });
});

describe('enforcement figures', () => {
  it('are refused on a complaint that was only just submitted', async () => {
    const admin = await login('admin');
    const receipt = await submitJson();
    const row = await rowOf(receipt.trackingCode);
    const res = await staffPost(admin, `/staff/complaints/${row.id}/enforcement`, { version: String(row.version), ordered: '1' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('受理之后才能记录查处情况');
    expect((await rowOf(receipt.trackingCode)).enforcement).toBeNull();
  });

  it('changed on a published record withdraw it for an admin to publish again, audited; unchanged ones leave it published', async () => {
    const admin = await login('admin');
    const handler = await login('housing');
    const receipt = await publishedComplaint(admin);
    let row = await rowOf(receipt.trackingCode);
    expect((await staffPost(handler, `/staff/complaints/${row.id}/enforcement`, { version: String(row.version) })).status).toBe(303);
    row = await rowOf(receipt.trackingCode);
    expect(row.publishedAt).not.toBeNull();
    expect((await staffPost(handler, `/staff/complaints/${row.id}/enforcement`, { version: String(row.version), fineYuan: '50000' })).status).toBe(303);
    row = await rowOf(receipt.trackingCode);
    expect(row.publishedAt).toBeNull();
    expect(row.publication).not.toBeNull();
    expect((await api.app.request(`/complaints/${receipt.reference}/`)).status).toBe(404);
    const search = (await (await api.app.request(`/api/search?q=${encodeURIComponent('锅炉')}`)).json()) as { results: { id: string }[] };
    expect(search.results.map((r) => r.id)).not.toContain(`complaint:${receipt.reference}`);
    const audit = (await api.db.select().from(auditLog).where(eq(auditLog.target, row.id))).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['complaint_enforcement', 'complaint_unpublish']));
    // The admin publishes it again, with the new figures.
    expect((await staffPost(admin, `/staff/complaints/${row.id}/publish`, { version: String(row.version), summary: row.publication!.summary, investigation: row.publication!.investigation, result: row.publication!.result })).status).toBe(303);
    expect(await (await api.app.request(`/complaints/${receipt.reference}/`)).text()).toContain('罚款 50000 元');
  });
});

describe('objection contacts', () => {
  it('are shown to admins on an explicit, audited request, and to nobody else', async () => {
    const res = await postForm(`/objections/${NOTICE.itemId}/`, { text: '整改后排污口仍有污水直排，十一月二十日拍到。', name: '李四', phone: '13800000000', formKey: 'objection-key-contact-1' });
    expect(res.status).toBe(303);
    const objection = (await api.db.select().from(objections))[0]!;
    const admin = await login('admin');
    const list = await (await api.app.request('/staff/objections/', { headers: { Cookie: admin.cookie } })).text();
    expect(list).not.toContain('13800000000');
    const shown = await staffPost(admin, `/staff/objections/${objection.id}/contact`, {});
    expect(shown.status).toBe(200);
    const page = await shown.text();
    expect(page).toContain('13800000000');
    expect(page).toContain('李四');
    expect((await api.db.select().from(auditLog).where(eq(auditLog.action, 'view_objection_contact'))).map((a) => a.target)).toEqual([objection.id]);
    for (const who of ['housing', 'viewer']) {
      const other = await login(who);
      const refused = await staffPost(other, `/staff/objections/${objection.id}/contact`, {});
      expect(refused.status).toBe(403);
      expect(await refused.text()).not.toContain('13800000000');
    }
  });
});

describe('the audit log', () => {
  it('refuses UPDATE and DELETE in the database itself', async () => {
    await login('admin');
    const before = await api.db.$count(auditLog);
    expect(before).toBeGreaterThan(0);
    await expect(api.db.$client.execute("UPDATE audit_log SET actor = 'someone-else'")).rejects.toThrow(/append-only/);
    await expect(api.db.$client.execute('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    expect(await api.db.$count(auditLog)).toBe(before);
  });
});

describe('migration 0004 on a database of the old schema', () => {
  it('gives existing complaints reference numbers, keeps their codes as secrets, re-keys duplicates, and re-indexes published ones by reference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-migrate-'));
    try {
      // The migrations before 0004, as a database made before it would have them.
      const old = join(dir, 'migrations');
      mkdirSync(join(old, 'meta'), { recursive: true });
      for (const f of readdirSync('db/migrations').filter((f) => /^000[0-3]_.*\.sql$/.test(f))) copyFileSync(join('db/migrations', f), join(old, f));
      const journal = JSON.parse(readFileSync('db/migrations/meta/_journal.json', 'utf8')) as { entries: { tag: string }[] };
      journal.entries = journal.entries.filter((e) => /^000[0-3]_/.test(e.tag));
      writeFileSync(join(old, 'meta', '_journal.json'), JSON.stringify(journal));
      const db = openDatabase(`file:${join(dir, 'old.db')}`);
      await migrate(db, { migrationsFolder: old });
      const insert = (id: string, code: string, at: string, duplicateOf: string | null, published: boolean) =>
        db.$client.execute({
          sql: `INSERT INTO complaints (id, tracking_code, idempotency_key, state, pollution_types, region, address, observed_at, description, anonymous, consent_publish, client_hash, created_at, updated_at, duplicate_of, publication, published_at, assigned_unit)
                VALUES (?, ?, ?, 'closed', '["大气"]', 'gansu-wuwei-liangzhou', '某地', '2025-12-01', '描述文字足够长的举报内容', 1, 1, 'h', ?, ?, ?, ?, ?, 'wuwei-housing')`,
          args: [id, code, `k-${id}`, at, at, duplicateOf, published ? JSON.stringify({ summary: '反映锅炉冒黑烟', investigation: '经查属实', result: '责令整改' }) : null, published ? at : null],
        });
      await insert('a', 'AAAAAAAAAAAAA', '2025-12-31T17:00:00.000Z', null, true); // 2026-01-01 01:00 in China
      await insert('b', 'BBBBBBBBBBBBB', '2025-12-31T15:00:00.000Z', null, false); // 2025-12-31 23:00 in China
      await insert('c', 'CCCCCCCCCCCCC', '2026-03-01T00:00:00.000Z', 'BBBBBBBBBBBBB', false);
      await db.$client.execute({ sql: "INSERT INTO search_documents (id, source, kind, kind_order, title, url, fields, facets) VALUES ('complaint:AAAAAAAAAAAAA', 'complaint', 'complaint', 9, '投诉办理结果 AAAA-AAAA-AAAA-A', '/complaints/track/AAAAAAAAAAAAA/', '[]', '{}')", args: [] });

      await migrate(db, { migrationsFolder: 'db/migrations' });
      const rows = (await db.select().from(complaints)).sort((x, y) => x.id.localeCompare(y.id));
      expect(rows.map((r) => [r.id, r.reference, r.trackingCode, r.duplicateOf, r.version])).toEqual([
        ['a', '2026-000001', 'AAAAAAAAAAAAA', null, 0],
        ['b', '2025-000001', 'BBBBBBBBBBBBB', null, 0],
        ['c', '2026-000002', 'CCCCCCCCCCCCC', '2025-000001', 0],
      ]);
      const docs = await db.$client.execute("SELECT id, url, title FROM search_documents WHERE source = 'complaint'");
      expect(docs.rows).toHaveLength(0);
      expect(await reindexPublished(db, testReference())).toBe(1);
      const after = await db.$client.execute("SELECT id, url, title FROM search_documents WHERE source = 'complaint'");
      expect(after.rows.map((r) => [r.id, r.url])).toEqual([['complaint:2026-000001', '/complaints/2026-000001/']]);
      expect(JSON.stringify(after.rows)).not.toContain('AAAA');
      // The next complaint of 2026 continues the year's sequence.
      const app = createSiteApp({ production: false, complaints: { db, contactKey: api.contactKey, clientSalt: 's', reference: testReference(), clientAddress: () => '198.51.100.1', now: () => NOW } });
      const res = await postJson(app, '/api/complaints', validComplaint());
      expect(((await res.json()) as { reference: string }).reference).toBe('2026-000003');
      db.$client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
