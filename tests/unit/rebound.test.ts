/** The rebound watch's rule (src/domain/rebound.ts): which items are watched, from when, where, for what; which complaints match and count. */
import { describe, expect, it } from 'vitest';
import { RegionTree } from '../../src/domain/region-tree.ts';
import { GANSU_REGIONS } from '../support/regions.ts';
import { COMPLAINT_STATES } from '../../src/domain/complaint-states.ts';
import { STATUS_IDS, isDone } from '../../src/domain/status.ts';
import { chinaDayStart, countsAsRebound, isPossibleRebound, pollutionTypesOf, reboundCountedStates, watchOf, watchRows, type TopicMapping, type WatchedItemFacts } from '../../src/domain/rebound.ts';
import { loadContent } from '../../src/content/load.ts';
import { getPortal } from '../../src/content/portal.ts';
import { contentWatches } from '../../src/site/watches.ts';
import { digestMail } from '../../src/domain/subscription-mail.ts';

const tree = new RegionTree(GANSU_REGIONS);
const mapping: TopicMapping[] = [
  { id: 'air', pollutionTypes: ['大气'] },
  { id: 'boilers', pollutionTypes: ['大气'] },
  { id: 'wastewater', pollutionTypes: ['水'] },
  { id: 'responsibility' },
];
const item = (over: Partial<WatchedItemFacts> = {}): WatchedItemFacts => ({ id: 'x-1', regions: ['gansu-wuwei'], topics: ['air'], status: 'completed', doneOn: '2021-06-30', ...over });

describe('which items are watched', () => {
  it('watches a done item from the day after it became done, over its regions and every region under them', () => {
    const w = watchOf(item(), mapping, tree)!;
    expect(w.fromDay).toBe('2021-07-01');
    expect(w.from).toBe('2021-06-30T16:00:00.000Z');
    expect(w.regions.sort()).toEqual(['gansu-wuwei', 'gansu-wuwei-liangzhou', 'gansu-wuwei-minqin']);
    expect(w.pollutionTypes).toEqual(['大气']);
    expect(watchRows(w)).toHaveLength(3);
  });

  it('asks the status table which statuses are done, never a list of its own', () => {
    for (const status of STATUS_IDS) expect(!!watchOf(item({ status }), mapping, tree)).toBe(isDone(status));
    expect(watchOf(item({ status: 'undisclosed' }), mapping, tree)).toBeUndefined();
  });

  it('does not watch an item without a done date, regions or a mapped topic', () => {
    expect(watchOf(item({ doneOn: undefined }), mapping, tree)).toBeUndefined();
    expect(watchOf(item({ regions: [] }), mapping, tree)).toBeUndefined();
    expect(watchOf(item({ topics: ['responsibility'] }), mapping, tree)).toBeUndefined();
    expect(watchOf(item({ topics: ['unknown-topic'] }), mapping, tree)).toBeUndefined();
  });

  it('counts a month or a year from its last day', () => {
    expect(watchOf(item({ doneOn: '2021-02' }), mapping, tree)!.fromDay).toBe('2021-03-01');
    expect(watchOf(item({ doneOn: '2020' }), mapping, tree)!.fromDay).toBe('2021-01-01');
  });

  it('maps topics to pollution types once each, in the form’s order', () => {
    expect(pollutionTypesOf(['wastewater', 'air', 'boilers'], mapping)).toEqual(['大气', '水']);
    expect(pollutionTypesOf(['responsibility'], mapping)).toEqual([]);
  });
});

describe('which complaints are possible rebounds', () => {
  const w = watchOf(item(), mapping, tree)!;
  const complaint = { region: 'gansu-wuwei-liangzhou', pollutionTypes: ['大气', '噪声'], receivedAt: '2021-07-01T00:30:00.000Z' };

  it('matches a complaint within the item’s regions, of a matching type, received after it was done', () => {
    expect(isPossibleRebound(complaint, w)).toBe(true);
    expect(isPossibleRebound({ ...complaint, region: 'gansu-wuwei' }, w)).toBe(true);
  });

  it('starts at midnight China time on the day after', () => {
    // 2021-06-30T15:59Z is 23:59 on 30 June in China: the item's own last day.
    expect(isPossibleRebound({ ...complaint, receivedAt: '2021-06-30T15:59:59.000Z' }, w)).toBe(false);
    expect(isPossibleRebound({ ...complaint, receivedAt: chinaDayStart('2021-07-01') }, w)).toBe(true);
  });

  it('does not match elsewhere, above the item’s region, or another type', () => {
    expect(isPossibleRebound({ ...complaint, region: 'gansu-lanzhou' }, w)).toBe(false);
    expect(isPossibleRebound({ ...complaint, region: 'gansu' }, w)).toBe(false);
    expect(isPossibleRebound({ ...complaint, pollutionTypes: ['水', '噪声'] }, w)).toBe(false);
  });

  it('counts complaints received or accepted, never refused or merged', () => {
    expect(countsAsRebound('submitted')).toBe(false);
    expect(countsAsRebound('accepted')).toBe(true);
    expect(countsAsRebound('closed')).toBe(true);
    expect(countsAsRebound('rejected')).toBe(false);
    expect(countsAsRebound('duplicate')).toBe(false);
    expect(reboundCountedStates()).toEqual(COMPLAINT_STATES.map((s) => s.id).filter((s) => s !== 'submitted' && s !== 'rejected' && s !== 'duplicate'));
  });
});

describe('the content’s mapping', () => {
  it('maps only the topics where it is clear, and watches the real done items of those topics', () => {
    const topics = loadContent().content.topics;
    const mapped = Object.fromEntries(topics.filter((t) => t.pollutionTypes).map((t) => [t.id, t.pollutionTypes]));
    expect(mapped).toMatchObject({ air: ['大气'], boilers: ['大气'], coal: ['大气'], 'clean-heating': ['大气'], wastewater: ['水'], 'drinking-water': ['水'], 'solid-waste': ['固体废物'], ecology: ['生态破坏'], 'nature-reserve': ['生态破坏'] });
    expect(mapped.responsibility).toBeUndefined();
    const watches = contentWatches(getPortal());
    expect(watches.every((w) => getPortal().item(w.itemId)!.assessment.done)).toBe(true);
    expect(watches.map((w) => w.itemId)).toContain('wuwei-2017-22');
  });
});

describe('the digest’s rebound line', () => {
  const base = { kindLabel: '整改任务', name: '某方案 第22项', pageUrl: 'https://x.example/items/a/', feedUrl: 'https://x.example/items/a/feed.xml', frequency: 'daily' as const, unsubscribeUrl: 'https://x.example/u' };

  it('names the number of new possible rebounds with the page, alone or beside changes, and says “more than” when capped', () => {
    const only = digestMail({ ...base, changes: [], rebounds: { count: 3, url: 'https://x.example/items/a/#item-complaints' } });
    expect(only.subject).toBe('某方案 第22项：销号后新增同类投诉 3 件（每日摘要）');
    expect(only.text).toContain('同类污染投诉 3 件');
    expect(only.text).toContain('https://x.example/items/a/#item-complaints');
    const both = digestMail({ ...base, changes: [{ kindLabel: '状态', date: '2026-12-01', title: 't', summary: 's', url: 'https://x.example/items/a/' }], rebounds: { count: 10000, capped: true, url: 'u' } });
    expect(both.subject).toBe('某方案 第22项：1 条新动态，销号后新增同类投诉 超过 10000 件（每日摘要）');
    const none = digestMail({ ...base, changes: [{ kindLabel: '状态', date: '2026-12-01', title: 't', summary: 's', url: 'u' }], rebounds: { count: 0, url: 'u' } });
    expect(none.subject).toBe('某方案 第22项：1 条新动态（每日摘要）');
    expect(none.text).not.toContain('可能反弹');
  });
});
