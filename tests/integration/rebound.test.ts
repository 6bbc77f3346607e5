/**
 * The rebound watch and an item's live complaints section, on a real libSQL file with the content
 * indexed and watched as the index run does it, pages drawn by the built site (`npm run build`
 * first), mail through a real SMTP server on loopback:
 * - linking and publishing → the item's section of /complaints/?item= counts and lists the rows;
 * - a complaint in a watched item's region, of its pollution type, after it was done, is flagged at
 *   intake: badge and item named in the staff queue and detail, the queue's filter, the item's count;
 *   refused, it is no longer counted; others (another type, another region) are not flagged;
 * - an index run whose item facts changed flags complaints already received, and clears them again;
 * - a follower of the item is told the number of new possible rebounds in a digest, never their text.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { complaintRebounds, complaints, outbox } from '../../db/schema.ts';
import { syncReboundWatch } from '../../functions/rebound.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { queueDigests, syncChanges, type SubscriptionDeps } from '../../functions/subscription-service.ts';
import { sendDue } from '../../functions/mail/sender.ts';
import { smtpTransport } from '../../functions/mail/smtp.ts';
import { getPortal } from '../../src/content/portal.ts';
import { watchOf } from '../../src/domain/rebound.ts';
import { CONTENT_SOURCE, contentDocuments } from '../../src/search/content-docs.ts';
import { replaceDocuments } from '../../src/search/index-store.ts';
import { listChanges } from '../../src/site/changes.ts';
import { contentWatches } from '../../src/site/watches.ts';
import { postJson, testApi, testReference, validComplaint, type TestApi } from '../support/api.ts';
import { controlsOf, tablesOf } from '../support/markup.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';

const SITE = 'https://portal.example.org';
const PASSWORD = 'correct horse battery staple';
/** Done (基本完成, 2020-07-30) in 武威市, topic 自然保护地 → 生态破坏: the content's watched item. */
const ITEM = 'wuwei-2017-22';
const portal = getPortal();
const docs = contentDocuments(portal);
const T0 = Date.parse('2026-11-23T04:00:00Z');
let clock = T0;
const now = () => new Date(clock);

let api: TestApi;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
});
beforeEach(async (context) => {
  clock = T0;
  api = await testApi({ now, mail: { siteUrl: SITE } });
  await replaceDocuments(api.db.$client, CONTENT_SOURCE, docs);
  await syncChanges(api.db, listChanges(portal), now());
  await syncReboundWatch(api.db, contentWatches(portal));
  await createStaffUser(api.db, { username: 'admin', displayName: 'admin', role: 'admin', password: PASSWORD });
  context.onTestFinished(() => api.close());
});

const postForm = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  api.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });

async function login() {
  const res = await postForm('/staff/login/', { username: 'admin', password: PASSWORD });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
  const page = await (await api.app.request('/staff/', { headers: { Cookie: cookie } })).text();
  return { cookie, csrf: controlsOf(page).find((c) => c.name === '_csrf')!.value };
}

async function complaint(overrides: Record<string, unknown> = {}) {
  const res = await postJson(api.app, '/api/complaints', validComplaint(overrides), { 'X-Test-Client': `198.51.100.${Math.floor(Math.random() * 200) + 2}` });
  expect(res.status).toBe(201);
  const { trackingCode } = (await res.json()) as { trackingCode: string };
  return (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, trackingCode) }))!;
}
const ecological = { pollutionTypes: ['生态破坏'], description: '保护区内有人开矿挖沙，植被被破坏，持续多日。' };

/** The item's section of the on-demand view, as the item page's script takes it. */
async function itemSection(item = ITEM) {
  const html = await (await api.app.request(`/complaints/?item=${item}`)).text();
  const start = html.indexOf('<section id="item-complaints"');
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start) + '</section>'.length);
}
const reboundCount = (section: string) => section.match(/data-rebound-count="([^"]+)"/)?.[1];

describe('an item’s complaints section', () => {
  it('counts and lists the published complaints linked to the item', async () => {
    const admin = await login();
    const post = (path: string, fields: Record<string, string>) => postForm(path, { _csrf: admin.csrf, ...fields }, { Cookie: admin.cookie });
    const publishLinked = async (verdict: string, close: boolean) => {
      const row = await complaint();
      expect((await post(`/staff/complaints/${row.id}/items`, { others: 'wuwei-2020-10', do: 'link' })).status).toBe(303);
      for (const step of [{ action: 'accept' }, { action: 'assign', unit: 'wuwei-housing' }, close ? { action: 'close', verdict, reply: '已责令整改。' } : { action: 'close-partially', verdict, reply: '阶段性办结。' }]) {
        expect((await post(`/staff/complaints/${row.id}/action`, step)).status).toBe(303);
      }
      const version = String((await api.db.query.complaints.findFirst({ where: eq(complaints.id, row.id) }))!.version);
      expect((await post(`/staff/complaints/${row.id}/publish`, { version, do: 'publish', summary: '反映某企业夜间排放黑烟。', investigation: '经查。', result: '已整改。' })).status).toBe(303);
      return row;
    };
    const empty = await itemSection('wuwei-2020-10');
    expect(empty).toContain('暂无公开的办理结果');
    expect(tablesOf(empty)).toHaveLength(0);

    const a = await publishLinked('属实', true);
    const b = await publishLinked('部分属实', false);
    await complaint(); // linked to nothing, unpublished: not counted
    const section = await itemSection('wuwei-2020-10');
    const counts = tablesOf(section).find((t) => t.caption === '与本项关联的已公开办理结果')!.rows;
    expect(counts).toEqual([['合计', '2'], ['是否属实：属实', '1'], ['是否属实：部分属实', '1'], ['已办结', '1'], ['办理中', '1']]);
    const rows = tablesOf(section).find((t) => t.caption.startsWith('投诉举报办理情况'))!.rows;
    expect(rows.map((r) => r[0]).sort()).toEqual([a.reference, b.reference].sort());
    // wuwei-2020-10 is not done: the rule does not apply, and the section says so.
    expect(reboundCount(section)).toBe('none');
  });
});

describe('possible rebounds', () => {
  it('flags a complaint of the item’s type in its regions at intake, shows it to staff, and counts it on the item', async () => {
    const flagged = await complaint(ecological);
    const county = await complaint({ ...ecological, region: 'gansu-wuwei-minqin' });
    const otherType = await complaint();
    const otherPlace = await complaint({ ...ecological, region: 'gansu-lanzhou' });
    const marks = async (id: string) => (await api.db.select().from(complaintRebounds).where(eq(complaintRebounds.complaintId, id))).map((r) => r.itemId);
    expect(await marks(flagged.id)).toEqual([ITEM]);
    expect(await marks(county.id)).toEqual([ITEM]);
    expect(await marks(otherType.id)).toEqual([]);
    expect(await marks(otherPlace.id)).toEqual([]);
    expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, flagged.id) }))!.rebound).toBe(true);
    expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, otherType.id) }))!.rebound).toBe(false);

    const admin = await login();
    const queuePage = await (await api.app.request('/staff/', { headers: { Cookie: admin.cookie } })).text();
    const queue = tablesOf(queuePage).find((t) => t.caption === '投诉队列')!;
    const byRef = new Map(queue.rows.map((r) => [r[0], r.join(' ')]));
    expect(byRef.get(flagged.reference!)).toContain('可能反弹');
    expect(byRef.get(flagged.reference!)).toContain('第22项');
    expect(byRef.get(otherType.reference!)).not.toContain('可能反弹');
    expect(queuePage).toContain(`data-rebound="${ITEM}"`);
    // The filter: only the flagged ones.
    const filtered = tablesOf(await (await api.app.request('/staff/?rebound=1', { headers: { Cookie: admin.cookie } })).text()).find((t) => t.caption === '投诉队列')!;
    expect(filtered.rows.map((r) => r[0]).sort()).toEqual([flagged.reference, county.reference].sort());
    expect(controlsOf(await (await api.app.request('/staff/?rebound=1', { headers: { Cookie: admin.cookie } })).text()).find((c) => c.name === 'rebound')!.checked).toBe(true);

    const detail = await (await api.app.request(`/staff/complaints/${flagged.id}/`, { headers: { Cookie: admin.cookie } })).text();
    expect(detail).toContain('data-rebound-items');
    expect(detail).toContain(`href="/items/${ITEM}/"`);

    // The item's count: only complaints staff accepted (unscreened ones would let anyone raise it);
    // only a number, never their text.
    let section = await itemSection();
    expect(reboundCount(section)).toBe('0');
    for (const row of [flagged, county]) expect((await postForm(`/staff/complaints/${row.id}/action`, { _csrf: admin.csrf, action: 'accept' }, { Cookie: admin.cookie })).status).toBe(303);
    section = await itemSection();
    expect(reboundCount(section)).toBe('2');
    expect(section).toContain('销号后同类投诉 <strong>2</strong> 件');
    expect(section).toContain('2020年7月31日起');
    expect(section).not.toContain('开矿挖沙');
    // Refused: never counted (still marked for staff).
    const refused = await complaint(ecological);
    expect((await postForm(`/staff/complaints/${refused.id}/action`, { _csrf: admin.csrf, action: 'reject', reason: '不属于本部门受理范围。' }, { Cookie: admin.cookie })).status).toBe(303);
    section = await itemSection();
    expect(reboundCount(section)).toBe('2');
    expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, refused.id) }))!.rebound).toBe(true);
  });

  it('does not flag what was received before the item was done, and the index run flags and clears as item facts change', async () => {
    // The same complaint matches the item only if the item was done before it came in.
    const early = watchOf({ id: ITEM, regions: ['gansu-wuwei'], topics: ['nature-reserve'], status: 'completed', doneOn: '2026-12-31' }, portal.content.topics, portal.regionTree)!;
    expect((await syncReboundWatch(api.db, [early])).changed).toBe(1);
    const row = await complaint(ecological);
    expect(await api.db.select().from(complaintRebounds)).toHaveLength(0);
    // Another item becomes watched (say a status entry and a topic were added): the complaint already received is found.
    const other = watchOf({ id: 'wuwei-2020-10', regions: ['gansu-wuwei-liangzhou'], topics: ['ecology'], status: 'signed-off', doneOn: '2025-05' }, portal.content.topics, portal.regionTree)!;
    const report = await syncReboundWatch(api.db, [early, other]);
    expect(report).toEqual({ changed: 1, flagged: 1, cleared: 0 });
    expect((await api.db.select().from(complaintRebounds)).map((r) => [r.itemId, r.complaintId])).toEqual([['wuwei-2020-10', row.id]]);
    expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, row.id) }))!.rebound).toBe(true);
    // Unchanged facts rewrite nothing; the watch gone (a corrected status), the flag goes too.
    expect((await syncReboundWatch(api.db, [early, other])).changed).toBe(0);
    expect(await syncReboundWatch(api.db, [early])).toEqual({ changed: 1, flagged: 0, cleared: 1 });
    expect(await api.db.select().from(complaintRebounds)).toHaveLength(0);
    expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, row.id) }))!.rebound).toBe(false);
  });
});

describe('the subscribable event', () => {
  it('tells the item’s followers how many possible rebounds came since the last digest, never what they say', async () => {
    const deps: SubscriptionDeps = { db: api.db, contactKey: api.contactKey, clientSalt: 'test-salt', reference: testReference(), mail: { siteUrl: SITE } };
    const transport = smtpTransport(smtp.url);
    const deliver = async () => {
      const before = smtp.received.length;
      const report = await sendDue(api.db, api.contactKey, transport, { from: 'portal <noreply@portal.example.org>', now: now() });
      if (report.sent) await smtp.waitFor(before + report.sent);
      return smtp.received.slice(before);
    };
    try {
      await complaint(ecological); // before the subscription: on the page already, not in a digest
      expect((await postJson(api.app, '/api/subscriptions', { email: 'follower@example.net', target: `item:${ITEM}`, frequency: 'daily' })).status).toBe(202);
      const [confirmation] = await deliver();
      const token = confirmation!.text.match(/\/follow\/confirm\/\?token=([A-Za-z0-9_-]+)/)![1]!;
      expect((await postForm('/follow/confirm/', { token })).status).toBe(200);

      clock += 2 * 3600_000;
      // Signed in afresh each time: the test's clock moves past a session's life.
      const accept = async (row: { id: string }) => {
        const admin = await login();
        expect((await postForm(`/staff/complaints/${row.id}/action`, { _csrf: admin.csrf, action: 'accept' }, { Cookie: admin.cookie })).status).toBe(303);
        expect((await api.db.query.complaints.findFirst({ where: eq(complaints.id, row.id) }))!.state).toBe('accepted');
      };
      await accept(await complaint(ecological));
      await accept(await complaint({ ...ecological, region: 'gansu-wuwei-gulang' }));
      const pending = await complaint({ ...ecological, region: 'gansu-wuwei-minqin' }); // not yet screened: not told yet
      await complaint(); // 大气: not this item's type
      clock += 24 * 3600_000;
      expect(await queueDigests(deps, now())).toEqual({ queued: 1, unchanged: 0 });
      const [digest] = await deliver();
      expect(digest!.envelopeTo).toEqual(['follower@example.net']);
      expect(digest!.mail.subject).toContain('销号后新增同类投诉 2 件');
      expect(digest!.text).toContain('同类污染投诉 2 件');
      expect(digest!.text).toContain(`${SITE}/items/${ITEM}/#item-complaints`);
      expect(digest!.text).not.toContain('开矿挖沙');
      expect(digest!.text).not.toContain('凉州区');

      // Still unscreened: nothing new to tell, nothing sent.
      clock += 24 * 3600_000;
      expect(await queueDigests(deps, now())).toEqual({ queued: 0, unchanged: 1 });
      expect((await api.db.select().from(outbox).where(eq(outbox.kind, 'subscription:digest')))).toHaveLength(1);
      // Accepted since: told in the next digest, once.
      await accept(pending);
      clock += 24 * 3600_000;
      expect(await queueDigests(deps, now())).toEqual({ queued: 1, unchanged: 0 });
      const [later] = await deliver();
      expect(later!.mail.subject).toContain('销号后新增同类投诉 1 件');
      clock += 24 * 3600_000;
      expect(await queueDigests(deps, now())).toEqual({ queued: 0, unchanged: 1 });
    } finally {
      transport.close();
    }
  });
});
