/**
 * Complaints linked to the rectification items they concern (边督边改), on a real libSQL file with
 * the content indexed as the server indexes it, and pages drawn by the built site: staff link from
 * suggestions of the complaint's region or by id, only to items the site publishes, only where they
 * may act, audited; the public record names the items, the public list and its CSV filter and carry
 * them, and "unrelated" clears them.
 */
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, complaintItems, complaints } from '../../db/schema.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { getPortal } from '../../src/content/portal.ts';
import { CONTENT_SOURCE, contentDocuments } from '../../src/search/content-docs.ts';
import { replaceDocuments } from '../../src/search/index-store.ts';
import { postJson, testApi, validComplaint, type TestApi } from '../support/api.ts';
import { controlsOf, tablesOf } from '../support/markup.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const PASSWORD = 'correct horse battery staple';
const docs = contentDocuments(getPortal());

let api: TestApi;
beforeEach(async () => {
  api = await testApi({ now: () => NOW });
  await replaceDocuments(api.db.$client, CONTENT_SOURCE, docs);
  for (const [username, role, unit] of [['admin', 'admin', undefined], ['housing', 'handler', 'wuwei-housing'], ['ecology', 'handler', 'wuwei-ecology'], ['viewer', 'viewer', undefined]] as const) {
    await createStaffUser(api.db, { username, displayName: username, role, unit, password: PASSWORD });
  }
});
afterEach(() => api.close());

const postForm = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  api.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });

async function login(username: string) {
  const res = await postForm('/staff/login/', { username, password: PASSWORD });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
  const page = await (await api.app.request('/staff/', { headers: { Cookie: cookie } })).text();
  return { cookie, csrf: controlsOf(page).find((c) => c.name === '_csrf')!.value };
}

async function complaint() {
  const res = await postJson(api.app, '/api/complaints', validComplaint());
  expect(res.status).toBe(201);
  const { trackingCode } = (await res.json()) as { trackingCode: string };
  return (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, trackingCode) }))!;
}

const links = async (id: string) => (await api.db.select().from(complaintItems).where(eq(complaintItems.complaintId, id))).map((l) => l.itemId).sort();

describe('linking a complaint to items', () => {
  it('offers the items of its region, links ticked and typed ones, audited, and clears them as unrelated', async () => {
    const row = await complaint();
    const admin = await login('admin');
    const detail = await (await api.app.request(`/staff/complaints/${row.id}/`, { headers: { Cookie: admin.cookie } })).text();
    const offered = controlsOf(detail).filter((c) => c.name?.startsWith('item-')).map((c) => c.name!.slice(5));
    // A complaint in 凉州区 is offered the items of 武威市 (the region above it).
    expect(offered).toContain('wuwei-2020-10');
    expect(offered.every((id) => docs.some((d) => d.id === `item:${id}` && d.facets.region?.includes('gansu-wuwei')))).toBe(true);
    // A 大气 complaint: the items of topics about air pollution (topics.yaml's pollutionTypes) come first, marked.
    const airTopics = new Set(getPortal().content.topics.filter((t) => t.pollutionTypes?.includes('大气')).map((t) => t.id));
    const aboutAir = (id: string) => (docs.find((d) => d.id === `item:${id}`)!.facets.topic ?? []).some((t) => airTopics.has(t));
    const firstOther = offered.findIndex((id) => !aboutAir(id));
    expect(firstOther).toBeGreaterThan(0);
    expect(offered.slice(firstOther).some(aboutAir)).toBe(false);
    const labels = controlsOf(detail).filter((c) => c.name?.startsWith('item-')).map((c) => c.label ?? '');
    expect(labels.slice(0, firstOther).every((l) => l.endsWith('（主题相符）'))).toBe(true);
    expect(labels.slice(firstOther).some((l) => l.endsWith('（主题相符）'))).toBe(false);

    const linked = await postForm(`/staff/complaints/${row.id}/items`, { _csrf: admin.csrf, 'item-wuwei-2020-10': '1', others: 'wuwei-2020-13', do: 'link' }, { Cookie: admin.cookie });
    expect(linked.status).toBe(303);
    expect(await links(row.id)).toEqual(['wuwei-2020-10', 'wuwei-2020-13']);
    const after = await (await api.app.request(`/staff/complaints/${row.id}/`, { headers: { Cookie: admin.cookie } })).text();
    expect(controlsOf(after).find((c) => c.name === 'item-wuwei-2020-10')!.checked).toBe(true);
    expect(after).toContain('data-linked-items');

    const unrelated = await postForm(`/staff/complaints/${row.id}/items`, { _csrf: admin.csrf, do: 'unrelated' }, { Cookie: admin.cookie });
    expect(unrelated.status).toBe(303);
    expect(await links(row.id)).toEqual([]);
    expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, row.id) }))!.itemsReviewed).toBe('unrelated');
    const audit = (await api.db.select().from(auditLog).where(eq(auditLog.target, row.id))).map((a) => [a.action, a.detail]);
    expect(audit).toEqual(expect.arrayContaining([['link_items', 'wuwei-2020-10,wuwei-2020-13'], ['mark_unrelated', null]]));
  });

  it('refuses items the site does not publish, a reader without the right, and another unit’s handler', async () => {
    const row = await complaint();
    const admin = await login('admin');
    const unknown = await postForm(`/staff/complaints/${row.id}/items`, { _csrf: admin.csrf, others: 'wuwei-2020-10 no-such-item', do: 'link' }, { Cookie: admin.cookie });
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('没有这些整改任务：no-such-item');
    const nothing = await postForm(`/staff/complaints/${row.id}/items`, { _csrf: admin.csrf, others: '', do: 'link' }, { Cookie: admin.cookie });
    expect(nothing.status).toBe(422);
    const viewer = await login('viewer');
    expect((await postForm(`/staff/complaints/${row.id}/items`, { _csrf: viewer.csrf, others: 'wuwei-2020-10', do: 'link' }, { Cookie: viewer.cookie })).status).toBe(403);
    // Assigned to 住建局: the 生态环境局's handler does not see it at all.
    const act = (fields: Record<string, string>) => postForm(`/staff/complaints/${row.id}/action`, { _csrf: admin.csrf, ...fields }, { Cookie: admin.cookie });
    expect((await act({ action: 'accept' })).status).toBe(303);
    expect((await act({ action: 'assign', unit: 'wuwei-housing' })).status).toBe(303);
    const ecology = await login('ecology');
    expect((await postForm(`/staff/complaints/${row.id}/items`, { _csrf: ecology.csrf, others: 'wuwei-2020-10', do: 'link' }, { Cookie: ecology.cookie })).status).toBe(404);
    const housing = await login('housing');
    expect((await postForm(`/staff/complaints/${row.id}/items`, { _csrf: housing.csrf, others: 'wuwei-2020-10', do: 'link' }, { Cookie: housing.cookie })).status).toBe(303);
    expect(await links(row.id)).toEqual(['wuwei-2020-10']);
  });
});

describe('the public side', () => {
  it('names the items on the published record, and filters the list and its CSV by item', async () => {
    const row = await complaint();
    const admin = await login('admin');
    const post = (path: string, fields: Record<string, string>) => postForm(path, { _csrf: admin.csrf, ...fields }, { Cookie: admin.cookie });
    expect((await post(`/staff/complaints/${row.id}/items`, { others: 'wuwei-2020-10', do: 'link' })).status).toBe(303);
    for (const step of [{ action: 'accept' }, { action: 'assign', unit: 'wuwei-housing' }, { action: 'close', verdict: '属实', reply: '已责令整改。' }]) {
      expect((await post(`/staff/complaints/${row.id}/action`, step)).status).toBe(303);
    }
    const version = String((await api.db.query.complaints.findFirst({ where: eq(complaints.id, row.id) }))!.version);
    expect((await post(`/staff/complaints/${row.id}/publish`, { version, do: 'publish', summary: '反映凉州区某企业夜间排放黑烟。', investigation: '经查属实。', result: '已责令整改。' })).status).toBe(303);

    const record = await (await api.app.request(`/complaints/${row.reference}/`)).text();
    expect(record).toContain('data-linked-items');
    expect(record).toContain('href="/items/wuwei-2020-10/"');

    const listed = await api.app.request('/complaints/?item=wuwei-2020-10');
    // Public and the same for everyone (every item page's live section fetches it): cacheable for a minute.
    expect(listed.headers.get('Cache-Control')).toBe('public, max-age=60');
    const list = await listed.text();
    expect(list).toContain('data-item-filter');
    const rows = tablesOf(list).find((t) => t.caption.startsWith('投诉举报办理情况'))!.rows;
    expect(rows.map((r) => [r[0], r.at(-1)])).toEqual([[row.reference, 'wuwei-2020-10']]);
    expect(await (await api.app.request('/complaints/?item=wuwei-2020-11')).text()).toContain('暂无公开的办理结果');
    // With a region too (the links drive the query, the region narrows them).
    const inRegion = tablesOf(await (await api.app.request('/complaints/?item=wuwei-2020-10&region=gansu-wuwei')).text()).find((t) => t.caption.startsWith('投诉举报办理情况'))!;
    expect(inRegion.rows.map((r) => r[0])).toEqual([row.reference]);
    expect(await (await api.app.request('/complaints/?item=wuwei-2020-10&region=gansu-jiayuguan')).text()).toContain('暂无公开的办理结果');
    expect((await api.app.request('/complaints/?item=Bad%20Id')).status).toBe(400);

    const csv = parse(await (await api.app.request('/api/complaints/published?item=wuwei-2020-10&format=csv')).text(), { bom: true, columns: true }) as Record<string, string>[];
    expect(csv.map((r) => [r['受理编号'], r['关联整改任务编号']])).toEqual([[row.reference, 'wuwei-2020-10']]);

    // Open311 carries the link as an extension, only when asked (plain GeoReport v2 clients see the spec's fields).
    const plain = (await (await api.app.request(`/open311/v2/requests/${row.reference}.json`)).json()) as Record<string, unknown>[];
    expect(plain[0]).not.toHaveProperty('extended_attributes');
    const extended = (await (await api.app.request(`/open311/v2/requests.json?extensions=true&start_date=2026-11-01T00:00:00Z`)).json()) as { service_request_id: string; extended_attributes: { rectification_items: { item_id: string; url: string; plan: string | null }[] } }[];
    const mine = extended.find((r) => r.service_request_id === row.reference)!;
    expect(mine.extended_attributes.rectification_items.map((i) => [i.item_id, new URL(i.url).pathname])).toEqual([['wuwei-2020-10', '/items/wuwei-2020-10/']]);
    expect(mine.extended_attributes.rectification_items[0]!.plan).toContain('武威');
    const xml = await (await api.app.request(`/open311/v2/requests/${row.reference}.xml?extensions=true`)).text();
    expect(xml).toMatch(/<extended_attributes><rectification_items><rectification_item><item_id>wuwei-2020-10<\/item_id>/);
  });
});
