/**
 * The staff queue, the public list and the on-time rates work in SQL (functions/complaint-service.ts)
 * on deadlines stored with each step (`due_by`, `close_by`) and per-unit counts: here they must
 * agree with the rules of src/domain/complaint-handling.ts (`clocks`, `clockColumns`,
 * `onTimeByUnit`, `unitTally`) on a spread of complaints taken through real steps at fixed times,
 * asked at several fixed times (never the wall clock); migration 0010, which fills the columns
 * and counts of rows stored before it, must agree too. And keyset paging shows every complaint
 * exactly once, forwards and backwards, on the pages and through their links.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, isNotNull } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { complaints, complaintUnitCounts } from '../../db/schema.ts';
import { listPublished, queue, submitComplaint, takeAction, disputeByReporter, unitRates, type ComplaintRow, type PageKey, type Staff } from '../../functions/complaint-service.ts';
import { openDatabase, type Database } from '../../functions/db.ts';
import { createStaffUser } from '../../functions/staff.ts';
import type { ComplaintInput } from '../../src/domain/complaint.ts';
import { clockColumns, clocks, onTimeByUnit, unitTally, type HandlingAction } from '../../src/domain/complaint-handling.ts';
import { COMPLAINT_STATES, isConcluded, type ComplaintState } from '../../src/domain/complaint-states.ts';
import { regionTreeOf } from '../../src/site/reference.ts';
import { frameOf, tablesOf } from '../support/markup.ts';
import { testApi, testReference, validComplaint, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeEach(async () => {
  api = await testApi({ now: () => new Date('2026-11-23T04:00:00Z') });
});
afterEach(() => api.close());

const admin: Staff = { id: 'test-admin', role: 'admin', unit: null };
const DAY = 86_400_000;
const day = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY);
const factsOf = (r: ComplaintRow) => ({ state: r.state as ComplaintState, submittedAt: r.createdAt, acceptedAt: r.acceptedAt, extendedDays: r.extendedDays });

let serial = 0;
async function file(at: Date, overrides: Record<string, unknown> = {}) {
  const n = serial++;
  const { receipt } = await submitComplaint({ db: api.db, contactKey: api.contactKey }, validComplaint({ description: `测试投诉第${n}条：夜间工厂烟囱冒黑烟。`, ...overrides }) as unknown as ComplaintInput, {
    idempotencyKey: `clock-test-${n}`,
    clientHash: 'test',
    at,
  });
  return receipt.reference;
}
const rowOf = async (reference: string) => (await api.db.query.complaints.findFirst({ where: eq(complaints.reference, reference) }))!;
async function step(reference: string, action: HandlingAction | 'dispute', at: Date) {
  const row = await rowOf(reference);
  if (action === 'dispute') await disputeByReporter(api.db, row, '仍在冒黑烟，请重新核查。', at);
  else await takeAction(api.db, testReference(), admin, row, action, at);
}

/** Every page of the staff queue, following the next cursors; and back again from the last page. */
async function walk(db: Database, filters: Parameters<typeof queue>[2], now: Date, limit: number) {
  const forward: string[][] = [];
  let key: PageKey = {};
  for (;;) {
    const page = await queue(db, admin, filters, now, key, limit);
    forward.push(page.rows.map((e) => e.row.reference!));
    if (!page.next) break;
    key = { after: page.next };
  }
  const backward: string[][] = [];
  let last = await queue(db, admin, filters, now, key, limit);
  backward.unshift(last.rows.map((e) => e.row.reference!));
  while (last.prev) {
    last = await queue(db, admin, filters, now, { before: last.prev }, limit);
    backward.unshift(last.rows.map((e) => e.row.reference!));
  }
  return { forward, backward };
}

describe('deadlines and rates in SQL agree with the domain rules', () => {
  it('stores clockColumns with every step; the overdue filter and unitRates match clocks and onTimeByUnit at any time', { timeout: 60_000 }, async () => {
    const start = '2026-05-01T02:00:00.000Z';
    const units = ['wuwei-housing', 'wuwei-ecology'];
    // A spread: every step, on time and late, extended or not, for two units, over six months.
    for (let i = 0; i < 48; i++) {
      const at = day(start, i * 4);
      const ref = await file(at);
      const path = i % 12;
      const late = i % 5 === 0 ? 70 : 10;
      if (path === 0) continue; // only submitted
      if (path === 1) {
        await step(ref, { kind: 'reject', reason: '不属于受理范围' }, day(at.toISOString(), 3));
        continue;
      }
      if (path === 2) {
        await step(ref, { kind: 'mark-duplicate', of: (await file(at)) }, day(at.toISOString(), 2));
        continue;
      }
      await step(ref, { kind: 'accept' }, day(at.toISOString(), 1 + (i % 14)));
      if (path === 3) continue;
      await step(ref, { kind: 'assign', unit: units[i % 2]! }, day(at.toISOString(), 16));
      if (path === 4) continue;
      if (path === 5 || path === 9) await step(ref, { kind: 'extend', days: 5 + (i % 20), reason: '案情复杂' }, day(at.toISOString(), 20));
      if (path === 6) {
        await step(ref, { kind: 'start' }, day(at.toISOString(), 18));
        continue;
      }
      if (path === 7) {
        await step(ref, { kind: 'close-partially', verdict: '部分属实', reply: '已责令整改，持续跟踪。' }, day(at.toISOString(), late));
        continue;
      }
      if (path === 8) {
        await step(ref, { kind: 'assign', unit: units[(i + 1) % 2]! }, day(at.toISOString(), 25));
      }
      await step(ref, { kind: 'close', verdict: '属实', reply: '已整改到位。' }, day(at.toISOString(), late + (path === 9 ? 12 : 0)));
      if (path === 10) await step(ref, 'dispute', day(at.toISOString(), late + 2));
      if (path === 11) {
        await step(ref, 'dispute', day(at.toISOString(), late + 2));
        await step(ref, { kind: 'reopen', reason: '重新核查' }, day(at.toISOString(), late + 3));
      }
    }
    const rows = await api.db.select().from(complaints);
    expect(rows.length).toBeGreaterThan(48);
    for (const r of rows) expect({ ref: r.reference, dueBy: r.dueBy, closeBy: r.closeBy }).toEqual({ ref: r.reference, ...clockColumns(factsOf(r)) });
    // The counts kept with each step are the tallies of the rows as they are now.
    const counts = await api.db.select().from(complaintUnitCounts);
    for (const unit of units) {
      const tallies = rows.map((r) => unitTally({ state: r.state, unit: r.assignedUnit, closedAt: r.closedAt, closeBy: r.closeBy })).filter((t) => t.unit === unit);
      expect(counts.find((c) => c.unit === unit)).toEqual({ unit, assigned: tallies.length, concluded: tallies.reduce((a, t) => a + t.concluded, 0), onTime: tallies.reduce((a, t) => a + t.onTime, 0) });
    }
    for (const now of ['2026-05-10T00:00:00.000Z', '2026-07-15T12:00:00.000Z', '2026-09-01T00:00:00.000Z', '2026-11-23T04:00:00.000Z', '2027-06-01T00:00:00.000Z']) {
      const at = new Date(now);
      const expected = rows
        .filter((r) => clocks(factsOf(r), now).overdue)
        .sort((a, b) => (a.createdAt === b.createdAt ? b.reference!.localeCompare(a.reference!) : b.createdAt.localeCompare(a.createdAt)))
        .map((r) => r.reference);
      const { forward } = await walk(api.db, { overdue: true }, at, 7);
      expect(forward.flat()).toEqual(expected);
      const reference = onTimeByUnit(
        rows.filter((r) => r.assignedUnit).map((r) => {
          const c = clocks(factsOf(r), now);
          return { unit: r.assignedUnit, closedAt: isConcluded(r.state) ? r.closedAt : null, closeBy: c.closeBy, overdue: c.overdue };
        }),
      );
      expect(Object.fromEntries(await unitRates(api.db, at))).toEqual(Object.fromEntries(reference));
    }
    // Overdue at the boundary: due exactly now is not overdue yet, a millisecond later it is.
    const one = rows.find((r) => r.state === 'submitted')!;
    const due = one.dueBy!;
    const overdueAt = async (iso: string) => (await queue(api.db, admin, { overdue: true, code: one.reference! }, new Date(iso))).rows.length;
    expect([await overdueAt(due), await overdueAt(new Date(Date.parse(due) + 1).toISOString())]).toEqual([0, 1]);
    expect([clocks(factsOf(one), due).overdue, clocks(factsOf(one), new Date(Date.parse(due) + 1).toISOString()).overdue]).toEqual([false, true]);
  });
});

describe('migration 0010 on rows stored before it', () => {
  it('fills due_by, close_by and the per-unit counts as clockColumns and unitTally would', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-migrate-'));
    try {
      const old = join(dir, 'migrations');
      mkdirSync(join(old, 'meta'), { recursive: true });
      const before = (f: string) => /^000[0-9]_/.test(f);
      for (const f of readdirSync('db/migrations').filter((f) => f.endsWith('.sql') && before(f))) copyFileSync(join('db/migrations', f), join(old, f));
      const journal = JSON.parse(readFileSync('db/migrations/meta/_journal.json', 'utf8')) as { entries: { tag: string }[] };
      journal.entries = journal.entries.filter((e) => before(e.tag));
      writeFileSync(join(old, 'meta', '_journal.json'), JSON.stringify(journal));
      const db = openDatabase(`file:${join(dir, 'old.db')}`);
      await migrate(db, { migrationsFolder: old });
      // Every state of the table, so that a state added later is covered too.
      const states: ComplaintState[] = COMPLAINT_STATES.map((s) => s.id);
      let n = 0;
      for (const state of states) {
        for (const accepted of [null, '2026-03-02T10:20:30.456Z']) {
          for (const extended of [null, 7, 30]) {
            for (const closedAfter of [null, 30, 75, 100]) {
              for (const unit of [null, 'wuwei-housing', 'wuwei-ecology']) {
                n++;
                const createdAt = new Date(Date.parse('2026-02-27T23:59:59.999Z') + n * 3_600_000).toISOString();
                const closedAt = closedAfter === null || !accepted ? (closedAfter === null ? null : createdAt) : new Date(Date.parse(accepted) + closedAfter * DAY).toISOString();
                await db.$client.execute({
                  sql: `INSERT INTO complaints (id, reference, tracking_code, idempotency_key, state, pollution_types, region, address, observed_at, description, anonymous, consent_publish, client_hash, created_at, updated_at, accepted_at, extended_days, closed_at, assigned_unit)
                        VALUES (?, ?, ?, ?, ?, '["大气"]', 'gansu-wuwei-liangzhou', '某地', '2026-02-01', '描述文字足够长的举报内容', 1, 1, 'h', ?, ?, ?, ?, ?, ?)`,
                  args: [`id-${n}`, `2026-${String(n).padStart(6, '0')}`, `CODE${String(n).padStart(9, '0')}`, `k-${n}`, state, createdAt, createdAt, accepted, extended, closedAt, unit],
                });
              }
            }
          }
        }
      }
      await migrate(db, { migrationsFolder: 'db/migrations' });
      const rows = await db.select().from(complaints);
      expect(rows).toHaveLength(n);
      for (const r of rows) expect({ id: r.id, dueBy: r.dueBy, closeBy: r.closeBy }).toEqual({ id: r.id, ...clockColumns(factsOf(r)) });
      const counts = await db.select().from(complaintUnitCounts);
      for (const unit of ['wuwei-housing', 'wuwei-ecology']) {
        const tallies = rows.map((r) => unitTally({ state: r.state, unit: r.assignedUnit, closedAt: r.closedAt, closeBy: r.closeBy })).filter((t) => t.unit === unit);
        expect(counts.find((c) => c.unit === unit)).toEqual({ unit, assigned: tallies.length, concluded: tallies.reduce((a, t) => a + t.concluded, 0), onTime: tallies.reduce((a, t) => a + t.onTime, 0) });
      }
      db.$client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('keyset paging', () => {
  it('shows every complaint once, newest first (ties by reference number), forwards and backwards, with filters', async () => {
    const regions = ['gansu-wuwei-liangzhou', 'gansu-wuwei-minqin', 'gansu-lanzhou'];
    for (let i = 0; i < 47; i++) {
      // Three at each instant: the reference number breaks the tie.
      await file(new Date(Date.parse('2026-10-01T00:00:00.000Z') + Math.floor(i / 3) * 60_000), { region: regions[i % 3] });
    }
    const all = (await api.db.select().from(complaints))
      .sort((a, b) => (a.createdAt === b.createdAt ? b.reference!.localeCompare(a.reference!) : b.createdAt.localeCompare(a.createdAt)))
      .map((r) => r.reference!);
    const now = new Date('2026-10-02T00:00:00.000Z');
    const { forward, backward } = await walk(api.db, {}, now, 10);
    expect(forward.flat()).toEqual(all);
    expect(forward.map((p) => p.length)).toEqual([10, 10, 10, 10, 7]);
    expect(backward).toEqual(forward);
    // A region with the regions under it; each region read apart and merged in order.
    const wuwei = regionTreeOf(testReference()).selfAndDescendantIds('gansu-wuwei');
    const inWuwei = (await api.db.select().from(complaints)).filter((r) => r.region.startsWith('gansu-wuwei')).map((r) => r.reference!);
    const region = await walk(api.db, { region: wuwei }, now, 4);
    expect(region.forward.flat()).toEqual(all.filter((r) => inWuwei.includes(r)));
    expect(region.backward).toEqual(region.forward);
    const first = await queue(api.db, admin, { region: wuwei }, now, {}, 4);
    expect([first.total, first.capped, first.prev]).toEqual([inWuwei.length, false, undefined]);
    // The public list pages the same way, over published rows only.
    const published = all.filter((_, i) => i % 2 === 0);
    for (const ref of published) {
      await api.db.update(complaints).set({ state: 'closed', publishedAt: '2026-10-05T00:00:00.000Z', publication: { summary: '摘要', investigation: '调查', result: '结果' } }).where(eq(complaints.reference, ref));
    }
    const seen: string[] = [];
    let key: PageKey = {};
    for (;;) {
      const page = await listPublished(api.db, {}, key, 5);
      seen.push(...page.rows.map((r) => r.reference));
      expect(page.total).toBe(published.length);
      if (!page.next) break;
      key = { after: page.next };
    }
    expect(seen).toEqual(published);
    expect((await api.db.select().from(complaints).where(isNotNull(complaints.publishedAt))).length).toBe(published.length);
  });

  it('links the pages of the staff queue and the public list, without JavaScript', { timeout: 60_000 }, async () => {
    const PASSWORD = 'correct horse battery staple';
    await createStaffUser(api.db, { username: 'admin', displayName: '管理员', role: 'admin', password: PASSWORD });
    const login = await api.app.request('/staff/login/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'admin', password: PASSWORD }) });
    const cookie = login.headers.get('Set-Cookie')!.split(';')[0]!;
    for (let i = 0; i < 110; i++) await file(new Date(Date.parse('2026-11-01T00:00:00.000Z') + i * 60_000), { pollutionTypes: i % 2 ? ['水'] : ['大气', '噪声'] });
    await api.db.update(complaints).set({ state: 'closed', publishedAt: '2026-11-20T00:00:00.000Z', publication: { summary: '摘要', investigation: '调查', result: '结果' } });
    const links = (html: string) => ({
      prev: html.match(/<a href="([^"]*)" rel="prev">/)?.[1]?.replace(/&amp;/g, '&'),
      next: html.match(/<a href="([^"]*)" rel="next">/)?.[1]?.replace(/&amp;/g, '&'),
    });
    for (const [path, headers, table, expected, pages] of [['/staff/?state=closed', { Cookie: cookie }, '投诉队列', 110, 3], ['/complaints/?type=大气', {}, undefined, 55, 2]] as const) {
      const rowsOf = (html: string) => (table ? tablesOf(html).find((t) => t.caption === table)! : tablesOf(html)[0]!).rows.map((r) => r[0] ?? '');
      // Forwards through the next links, then back through the previous ones: the same pages.
      const forward: string[][] = [];
      let html = await (await api.app.request(encodeURI(path), { headers })).text();
      expect(links(html).prev).toBeUndefined();
      for (let n = 1; ; n++) {
        expect(html).toContain(`第 ${n} 页，共 ${pages} 页`);
        forward.push(rowsOf(html));
        const { next } = links(html);
        if (!next) break;
        expect(next).toMatch(new RegExp(`after=\\d{4}-\\d{6}&page=${n + 1}$`));
        const res = await api.app.request(next, { headers });
        expect(res.status).toBe(200);
        html = await res.text();
      }
      expect(forward).toHaveLength(pages);
      expect(new Set(forward.flat()).size).toBe(expected);
      expect(forward.flat()).toHaveLength(expected);
      const backward: string[][] = [rowsOf(html)];
      for (let prev = links(html).prev; prev; prev = links(html).prev) {
        html = await (await api.app.request(prev, { headers })).text();
        backward.unshift(rowsOf(html));
      }
      expect(backward).toEqual(forward);
      expect(frameOf(html).title).toBeTruthy();
    }
    // A position that is not a reference number is refused on the public list, with the first page.
    const bad = await api.app.request('/complaints/?after=x');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('分页位置无效');
  });
});
