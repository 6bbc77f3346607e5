/**
 * The time dimension: 近期到期 and 新近逾期 lists, the two clocks side by side
 * when an amendment moves a deadline, and progress over time — on synthetic
 * records added to a copy of the content (tests/fixtures/time/), since no
 * real item has a deadline ahead of today or a moved deadline date.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assessItem } from '../../src/domain/assess.ts';
import { addDays, daysBetween } from '../../src/domain/dates.ts';
import { timeLists } from '../../src/domain/timelists.ts';
import { buildPortal, checkContent } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { clocksOf } from '../../src/site/clocks.ts';
import { progressOf } from '../../src/site/progress.ts';
import { AS_OF, makeTimeFixture } from '../fixtures/time/make.ts';

const single = (deadline: string, current = deadline, history: { date: string; status: 'completed' }[] = []) =>
  assessItem({ statusHistory: history, parts: [{ originalDeadline: deadline, currentDeadline: current }] }, '2021-01-15');

describe('date arithmetic', () => {
  it('adds days across month and year ends and counts days between dates', () => {
    expect(addDays('2020-12-31', 1)).toBe('2021-01-01');
    expect(addDays('2021-03-01', -1)).toBe('2021-02-28');
    expect(addDays('2020-12', 1)).toBe('2021-01-01');
    expect(daysBetween('2021-01-15', '2021-02-14')).toBe(30);
  });
});

describe('timeLists', () => {
  const records = [
    { id: 'today', a: single('2021年1月15日') },
    { id: 'in30', a: single('2021年2月14日') },
    { id: 'in31', a: single('2021年2月15日') },
    { id: 'in90', a: single('2021年4月15日') },
    { id: 'in91', a: single('2021年4月16日') },
    { id: 'done-soon', a: single('2021年1月31日', '2021年1月31日', [{ date: '2021-01-02', status: 'completed' }]) },
    { id: 'late-30', a: single('2020年12月16日') },
    { id: 'late-31', a: single('2020年12月15日') },
    { id: 'extended', a: single('2020年年底前', '2021年3月底前') },
    { id: 'ongoing', a: single('长期坚持') },
  ];
  const lists = timeLists(records, (r) => r.a, '2021-01-15');
  const ids = (l: { record: { id: string } }[]) => l.map((e) => e.record.id);

  it('lists what falls due in the next 30 days (the deadline day itself included) and 31–90 days, done items left out', () => {
    expect(ids(lists.dueIn30)).toEqual(['today', 'in30']);
    expect(ids(lists.dueIn90)).toEqual(['in31', 'extended', 'in90']);
  });

  it('lists what fell due in the last 30 days and is not done, an extended deadline on its original clock', () => {
    expect(ids(lists.newlyOverdue)).toEqual(['late-30', 'extended']);
    expect(lists.newlyOverdue.map((e) => e.clock)).toEqual(['current', 'original']);
    expect(lists.newlyOverdue[1]!.due).toBe('2020-12-31');
    expect(lists.undated).toBe(1);
  });
});

describe('the synthetic time fixture (an amendment moves two deadlines)', () => {
  const dir = makeTimeFixture();
  afterAll(() => rmSync(dirname(dir), { recursive: true, force: true }));
  const portal = buildPortal(loadContent(dir).content, AS_OF);

  it('passes the content check', () => {
    expect(checkContent(dir)).toEqual([]);
  });

  it('shows both clocks side by side where they differ, and only there', () => {
    const nine = clocksOf(portal.item('wuwei-2020-09')!.assessment);
    expect(nine).toMatchObject({ differs: true, current: '2021年2月28日前', original: '2020年12月31日前' });
    const a = portal.item('wuwei-2020-09')!.assessment;
    expect(a.overdue).toEqual({ original: true, current: false });
    expect(clocksOf(portal.item('wuwei-2020-07')!.assessment).differs).toBe(false);
  });

  it('lists item 11 as due within 30 days, item 9 within 90 days and as newly overdue on its original clock', () => {
    const lists = timeLists(portal.items, (i) => i.assessment, AS_OF);
    expect(lists.dueIn30.map((e) => e.record.item.id)).toEqual(['wuwei-2020-11']);
    expect(lists.dueIn90.map((e) => e.record.item.id)).toEqual(['wuwei-2020-09']);
    const late = lists.newlyOverdue.map((e) => [e.record.item.id, e.clock]);
    expect(late).toContainEqual(['wuwei-2020-09', 'original']);
    expect(late).toContainEqual(['wuwei-2020-10', 'current']);
    // Item 12 was done (late) on 2021-01-10: no longer overdue; item 13 fell due 46 days before.
    expect(late.map(([id]) => id)).not.toContain('wuwei-2020-12');
    expect(late.map(([id]) => id)).not.toContain('wuwei-2020-13');
  });

  it('rolls progress up at every dated event, with the deadlines in force on each date', () => {
    const points = progressOf(portal, portal.itemsBy.plan.get('wuwei-2020')!);
    const at = (d: string) => points.find((p) => p.date === d)!;
    expect(points[0]!.date).toBe('2020-07-30');
    expect(at('2020-12-20').events).toContain('方案修改');
    expect(at('2020-09-30').events).toContain('公开状态'); // 2020-09 widened to the month's end
    // On 2021-01-01 items 6, 10, 12, 14 (and 13, 15, 16 before) are overdue; 9 and 11 were extended on 2020-12-20.
    expect(at('2021-01-01').rollup.overdue.current).toBe(7);
    expect(at('2021-01-01').rollup.overdue.original).toBe(9);
    expect(at('2021-01-10').rollup.done).toBe(1);
    expect(points.at(-1)!.date).toBe(AS_OF);
  });
});
