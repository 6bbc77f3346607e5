/**
 * Progress over time summed from per-plan runs (src/site/plan-progress.ts, src/site/progress.ts)
 * gives the figures of assessing every item at every chart date, for any set of items (whole plans,
 * parts of plans, the whole country); items with no disclosed status are counted as neither done
 * nor disclosed, whichever runs they are summed from; and a plan's run is kept between builds and
 * computed again only when the plan or one of its items changed. A page's items.csv joined from
 * plans' kept rows is byte for byte the CSV of all its rows written at once.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { assessItemAt, buildPortal, getPortal, type Portal, type PortalItem } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { rollup } from '../../src/domain/ratios.ts';
import { addCounts, progressAt, progressCounts, timelineEvents } from '../../src/domain/timeline.ts';
import { countsOf, planRuns, planRunStats, runCountsAt, runProgress } from '../../src/site/plan-progress.ts';
import { progressOf } from '../../src/site/progress.ts';
import { itemRowsFile } from '../../src/site/downloads.ts';
import { keptPerPlan } from '../../src/site/plan-cache.ts';
import { itemRow, rowsCsvBytes, TABLES } from '../../src/site/opendata.ts';
import { AS_OF, makeTimeFixture } from '../fixtures/time/make.ts';

/** The reference: every item's events at once, every item assessed at every chart date. */
function direct(portal: Portal, items: readonly PortalItem[]) {
  if (items.length === 0) return [];
  const ids = new Set(items.map((i) => i.item.id));
  const extra: { date: string; label: string }[] = [];
  for (const plan of new Map(items.map((i) => [i.plan.id, i.plan])).values()) {
    if (plan.issued && /^\d{4}-\d{2}-\d{2}$/.test(plan.issued)) extra.push({ date: plan.issued, label: '方案印发' });
    for (const a of plan.amendments) if (a.changes.some((c) => ids.has(c.item))) extra.push({ date: a.date, label: '方案修改' });
  }
  const facts = items.map((i) => ({ statusHistory: i.item.statusHistory, parts: i.item.parts.map((pt, k) => ({ originalDeadline: pt.deadline, currentDeadline: i.parts[k]!.deadline })) }));
  const events = timelineEvents(facts, portal.asOf, extra);
  const starts = [...events.entries()].filter(([, l]) => l.includes('方案印发') || l.includes('公开状态')).map(([d]) => d).sort();
  if (starts[0]) for (const d of [...events.keys()]) if (d < starts[0]) events.delete(d);
  return progressAt(events, portal.asOf, (date) => items.map((i) => assessItemAt(i, date, portal.asOf)));
}

/** Whole plans, the country, every region and unit, and sets cutting across plans. */
function sets(portal: Portal): [string, PortalItem[]][] {
  return [
    ['all', portal.items],
    ['every other item', portal.items.filter((_, k) => k % 2 === 1)],
    ['reversed', [...portal.items].reverse()],
    ...[...portal.itemsBy.plan].map(([id, l]): [string, PortalItem[]] => [`plan ${id}`, l]),
    ...[...portal.itemsBy.region].map(([id, l]): [string, PortalItem[]] => [`region ${id}`, l]),
    ...[...portal.itemsBy.responsibleUnit].map(([id, l]): [string, PortalItem[]] => [`unit ${id}`, l]),
  ];
}

const cacheDir = mkdtempSync(join(tmpdir(), 'plan-progress-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

describe('progress summed from per-plan runs', () => {
  it('equals assessing every item at every date, on the real content', () => {
    vi.stubEnv('CONTENT_CACHE_DIR', cacheDir);
    const portal = getPortal();
    for (const [name, items] of sets(portal)) expect(progressOf(portal, items), name).toEqual(direct(portal, items));
  });

  it('equals it with amendments moving deadlines and statuses disclosed over time (time fixture)', () => {
    vi.stubEnv('CONTENT_CACHE_DIR', cacheDir);
    const dir = makeTimeFixture();
    try {
      const portal = buildPortal(loadContent(dir).content, AS_OF);
      const points = progressOf(portal, portal.items);
      expect(points.length).toBeGreaterThan(3);
      for (const [name, items] of sets(portal)) expect(progressOf(portal, items), name).toEqual(direct(portal, items));
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  it('counts an item with no disclosed status as neither done nor disclosed, and sums counts field by field', () => {
    const portal = getPortal();
    const silent = portal.items.filter((i) => i.item.statusHistory.length === 0);
    expect(silent.length).toBeGreaterThan(0);
    for (const i of silent.slice(0, 20)) {
      const c = countsOf(runCountsAt(runProgress([i], portal.asOf), portal.asOf, portal.asOf));
      expect(c).toEqual(progressCounts(rollup([i.assessment])));
      expect([c.items, c.done, c.disclosed]).toEqual([1, 0, 0]);
    }
    // The country as the sum of its plans, at the as-of date: the dashboard's roll-up.
    const runs = [...planRuns(portal).values()].map((r) => countsOf(runCountsAt(r, portal.asOf, portal.asOf)));
    expect(addCounts(runs)).toEqual(progressCounts(portal.rollups.all));
    expect(portal.rollups.all.byStatus.undisclosed).toBe(portal.rollups.all.items - portal.rollups.all.disclosed);
  });
});

describe('per-plan runs kept between builds', () => {
  it('are computed once, then taken from the file; a changed item makes its plan computed again, and only it', () => {
    vi.stubEnv('CONTENT_CACHE_DIR', mkdtempSync(join(cacheDir, 'kept-')));
    const work = mkdtempSync(join(cacheDir, 'content-'));
    cpSync('content', work, { recursive: true });
    const load = () => buildPortal(loadContent(work).content, '2026-06-30');
    const first = load();
    const runs = planRuns(first);
    expect(planRunStats).toEqual({ computed: runs.size, kept: 0 });
    const again = planRuns(load());
    expect(planRunStats).toEqual({ computed: 0, kept: runs.size });
    expect(again).toEqual(runs);

    const file = join(work, 'items', 'wuwei-2017', '01.yaml');
    const text = readFileSync(file, 'utf8');
    const at = text.lastIndexOf('\n    status: ');
    expect(at).toBeGreaterThan(0);
    const end = text.indexOf('\n', at + 1);
    // 基本完成 → 未完成: the plan's done count falls from that date on.
    expect(text.slice(at + 13, end)).toBe('basically-completed');
    writeFileSync(file, `${text.slice(0, at + 13)}not-completed${text.slice(end)}`);
    const changed = load();
    const after = planRuns(changed);
    expect(planRunStats).toEqual({ computed: 1, kept: runs.size - 1 });
    expect(after.get('wuwei-2017')).toEqual(runProgress(changed.itemsBy.plan.get('wuwei-2017')!, changed.asOf));
    expect(after.get('wuwei-2017')).not.toEqual(runs.get('wuwei-2017'));
    // Another as-of date is another key.
    planRuns(buildPortal(loadContent(work).content, '2026-07-01'));
    expect(planRunStats.kept).toBe(0);
  });
});

describe('items.csv joined from plans\' rows', () => {
  it('is the CSV of all the rows written at once, computed or kept, for whole plans and parts of plans', () => {
    vi.stubEnv('CONTENT_CACHE_DIR', mkdtempSync(join(cacheDir, 'csv-')));
    const columns = Object.keys(TABLES.find((t) => t.name === 'items')!.columns);
    for (const portal of [buildPortal(loadContent().content, '2026-06-30'), buildPortal(loadContent().content, '2026-06-30')]) {
      for (const [name, items] of sets(portal)) {
        const about = { page: '/x/', title: name };
        expect(itemRowsFile(portal, items, 'items.csv', about).equals(rowsCsvBytes(columns, items, itemRow)), name).toBe(true);
      }
    }
    // Every plan's rows were kept by the first build: a third computes none.
    const third = keptPerPlan(buildPortal(loadContent().content, '2026-06-30'), 'items-csv', () => Buffer.from('never'));
    expect(third.computed).toBe(0);
    expect([...third.values.values()].every((b) => b.length > 0 && b.toString() !== 'never')).toBe(true);
  });
});
