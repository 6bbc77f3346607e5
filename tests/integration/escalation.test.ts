/**
 * 逾期或久未更新 (/staff/escalation/) through the built site on a real libSQL file: the items'
 * facts copied from the real content as an index run does; counts and lists by unit; keyset
 * paging forwards and back; complaints past their deadlines by unit; who sees what (a handler
 * their unit only, whatever the address asks; signed-out readers nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncItemWatch, NO_UNIT } from '../../functions/escalation.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { getPortal } from '../../src/content/portal.ts';
import { todayInChina } from '../../src/domain/dates.ts';
import { itemWatchFacts, type ItemWatchFact } from '../../src/site/item-watch.ts';
import { postJson, testApi, validComplaint, type TestApi } from '../support/api.ts';
import { markupProblems, tablesOf } from '../support/markup.ts';

const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;
const URLENCODED = { 'Content-Type': 'application/x-www-form-urlencoded' };
const T0 = new Date('2026-12-01T02:00:00.000Z');
let clock = T0;
let api: TestApi;
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

async function login(username: string) {
  const res = await api.app.request('/staff/login/', { method: 'POST', headers: URLENCODED, body: new URLSearchParams({ username, password: PASSWORD }) });
  expect(res.status).toBe(303);
  return res.headers.get('Set-Cookie')!.split(';')[0]!;
}
const get = (who: string, path: string) => api.app.request(path, { headers: { Cookie: cookies[who]! } });
async function page(who: string, path: string) {
  const res = await get(who, path);
  expect(res.status, path).toBe(200);
  const html = await res.text();
  expect(markupProblems(html)).toEqual([]);
  return html;
}
const table = (html: string, caption: string) => tablesOf(html).find((t) => t.caption === caption)?.rows ?? [];
const links = (html: string, rel: 'next' | 'prev') => html.match(new RegExp(`href="([^"]+)" rel="${rel}"`))?.[1]?.replace(/&amp;/g, '&');

/** A made-up overdue item of wuwei-housing, for paging: the real content has few. */
const synthetic = (k: number): ItemWatchFact => ({
  itemId: `zz-test-${String(k).padStart(3, '0')}`,
  unit: 'wuwei-housing',
  name: `测试方案 第${k}项`,
  title: `测试任务 ${k}`,
  due: `2020-01-${String((k % 28) + 1).padStart(2, '0')}`,
  done: false,
  status: 'on-schedule',
  statusDate: '2020-01',
  silentSince: '2020-01-31',
});

let real: ItemWatchFact[];

beforeAll(async () => {
  api = await testApi({ now: () => clock, limits: { intake: { max: 100, windowSeconds: 600 } } });
  real = itemWatchFacts(getPortal());
  await syncItemWatch(api.db, [...real, ...Array.from({ length: 120 }, (_, k) => synthetic(k))], T0);
  for (const [username, role, unit] of [['admin', 'admin', undefined], ['viewer', 'viewer', undefined], ['housing', 'handler', 'wuwei-housing']] as const) {
    await createStaffUser(api.db, { username, displayName: username, role, unit, password: PASSWORD });
    cookies[username] = await login(username);
  }
  // Three complaints at T0: one passed to each of two units, one left with triage.
  const csrf = (await (await get('admin', '/staff/')).text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
  for (const [name, unit] of [['housing', 'wuwei-housing'], ['ecology', 'wuwei-ecology'], ['triage', undefined]] as const) {
    const res = await postJson(api.app, '/api/complaints', validComplaint({ description: `关于${name}的投诉：夜间排放黑烟。` }), { 'Idempotency-Key': `escalation-${name}` });
    expect(res.status).toBe(201);
    const { trackingCode } = (await res.json()) as { trackingCode: string };
    const row = (await api.db.query.complaints.findFirst({ where: (c, { eq }) => eq(c.trackingCode, trackingCode) }))!;
    ids[name] = row.id;
    if (!unit) continue;
    for (const fields of [{ action: 'accept' }, { action: 'assign', unit }]) {
      const step = await api.app.request(`/staff/complaints/${row.id}/action`, { method: 'POST', headers: { ...URLENCODED, Cookie: cookies.admin! }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
      expect(step.status).toBe(303);
    }
  }
  // 61 days on: every clock has run out (decide at 15, close at 60).
  clock = new Date(T0.getTime() + 61 * DAY);
  // Sessions last hours, not days: everyone signs in again.
  for (const username of ['admin', 'viewer', 'housing']) cookies[username] = await login(username);
});
afterAll(() => api.close());

describe('the escalation view', () => {
  it('counts overdue items and complaints by unit, from the content’s facts', async () => {
    const html = await page('admin', '/staff/escalation/');
    expect(html).toContain('<h1>逾期或久未更新</h1>');
    const today = todayInChina(clock);
    const overdueOf = (unit: string) => real.filter((f) => f.unit === unit && !f.done && f.due && f.due < today).length;
    const units = table(html, '按单位统计的逾期和久未更新情况');
    const housing = units.find((r) => r[0] === '市住建局')!;
    expect(housing).toBeDefined();
    expect(Number(housing[1])).toBe(120 + overdueOf('wuwei-housing'));
    expect(Number(housing[3])).toBe(1);
    expect(Number(units.find((r) => r[0] === '市生态环境局')![3])).toBe(1);
    expect(Number(units.find((r) => r[0] === '未列明单位或未转办')![3])).toBe(1);
    // The overdue list of every unit counts every (item, unit) overdue.
    const all = real.filter((f) => !f.done && f.due && f.due < today).length + 120;
    expect(html).toContain(`共 ${all} 项，逾期最久的在前。`);
  });

  it('pages a unit’s overdue items along the index, forwards and back', async () => {
    const first = await page('admin', '/staff/escalation/?unit=wuwei-housing');
    const rows1 = table(first, '逾期整改任务');
    expect(rows1).toHaveLength(50);
    expect(rows1.every((r) => r[0] === '市住建局')).toBe(true);
    const dues = rows1.map((r) => r[2]!);
    expect(first).toContain('第 1 页');
    const second = await page('admin', links(first, 'next')!);
    const rows2 = table(second, '逾期整改任务');
    expect(rows2).toHaveLength(50);
    expect(new Set([...rows1, ...rows2].map((r) => r[1])).size).toBe(100);
    expect(second).toContain('第 2 页');
    const third = await page('admin', links(second, 'next')!);
    const back = await page('admin', links(third, 'prev')!);
    expect(table(back, '逾期整改任务')).toEqual(rows2);
    expect(dues.length).toBe(50);
  });

  it('lists items silent longest, and complaints past their deadlines earliest first', async () => {
    const silent = table(await page('admin', '/staff/escalation/?list=silent'), '久未更新的整改任务');
    expect(silent.length).toBeGreaterThan(0);
    const complaints = await page('admin', '/staff/escalation/?list=complaints');
    const rows = table(complaints, '超期或临近期限的投诉');
    // The triage one ran out first (15 days), then the two closing deadlines.
    expect(rows.map((r) => r[2])).toEqual(['尚未转办', expect.any(String), expect.any(String)]);
    expect(rows.map((r) => r[3])).toEqual(['受理期限', '办结期限', '办结期限']);
    expect(complaints).toContain(`/staff/complaints/${ids.triage}/`);
    // Nothing of the reporter.
    expect(complaints).not.toContain('夜间排放黑烟');
    const triageOnly = table(await page('admin', `/staff/escalation/?list=complaints&unit=${NO_UNIT}`), '超期或临近期限的投诉');
    expect(triageOnly).toHaveLength(1);
  });

  it('shows a handler their own unit only, whatever the address asks for', async () => {
    for (const path of ['/staff/escalation/?list=complaints', '/staff/escalation/?list=complaints&unit=wuwei-ecology', `/staff/escalation/?list=complaints&unit=${NO_UNIT}`]) {
      const html = await page('housing', path);
      expect(table(html, '按单位统计的逾期和久未更新情况').map((r) => r[0])).toEqual(['市住建局']);
      const rows = table(html, '超期或临近期限的投诉');
      expect(rows.map((r) => r[2])).toEqual(['市住建局']);
      expect(html).toContain(`/staff/complaints/${ids.housing}/`);
      expect(html).not.toContain(ids.ecology!);
      expect(html).not.toContain(ids.triage!);
      // No choice of unit is offered.
      expect(html).not.toContain('id="e-unit"');
    }
    const items = table(await page('housing', '/staff/escalation/?unit=wuwei-ecology'), '逾期整改任务');
    expect(items.every((r) => r[0] === '市住建局')).toBe(true);
  });

  it('lets a read-only account see every unit; refuses the signed-out and bad addresses', async () => {
    const html = await page('viewer', '/staff/escalation/?list=complaints');
    expect(table(html, '超期或临近期限的投诉')).toHaveLength(3);
    const out = await api.app.request('/staff/escalation/');
    expect(out.status).toBe(303);
    expect(out.headers.get('Location')).toBe('/staff/login/');
    for (const path of ['/staff/escalation/?unit=no-such-unit', '/staff/escalation/?list=all', '/staff/escalation/?after=%3Cscript%3E', '/staff/escalation/?page=0']) {
      const res = await get('admin', path);
      expect(res.status, path).toBe(400);
      expect(markupProblems(await res.text())).toEqual([]);
    }
  });
});
