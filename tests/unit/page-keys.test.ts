/**
 * Page keys (src/site/page-keys.ts) from the parse cache's file digests: a record of a file of its
 * own is digested by that file's bytes (whether parsed now or taken from the cache), so an unchanged
 * item keeps its keys across builds and a changed one changes the keys of every page printing it —
 * its page, its plan's and regions' lists and their feeds — and of no page that does not.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildPortal, type Portal } from '../../src/content/portal.ts';
import { loadContent, recordDigest } from '../../src/content/load.ts';
import { digestOf, feedKey, itemPageKey, listKey } from '../../src/site/page-keys.ts';

const AS_OF = '2026-06-30';
const ITEM = 'wuwei-2017-01';
const OTHER = 'wuwei-2020-01';
const dir = mkdtempSync(join(tmpdir(), 'page-keys-'));
const work = join(dir, 'content');
cpSync('content', work, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

function load(env: Record<string, string> = {}): Portal {
  vi.stubEnv('CONTENT_CACHE_DIR', join(dir, 'cache'));
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return buildPortal(loadContent(work).content, AS_OF);
}

/** The keys of the pages that print ITEM, and of some that do not. */
function keys(portal: Portal) {
  const item = portal.item(ITEM)!;
  const other = portal.item(OTHER)!;
  const region = item.item.regions[0]!;
  return {
    item: itemPageKey(portal, item),
    plan: listKey(portal, [portal.itemsBy.plan.get(item.plan.id)!]),
    region: listKey(portal, [portal.itemsBy.region.get(region)!]),
    itemFeed: feedKey(portal, 'items', ITEM),
    planFeed: feedKey(portal, 'plans', item.plan.id),
    regionFeed: feedKey(portal, 'regions', region),
    otherItem: itemPageKey(portal, other),
    otherPlan: listKey(portal, [portal.itemsBy.plan.get(other.plan.id)!]),
    otherPlanFeed: feedKey(portal, 'plans', other.plan.id),
  };
}

describe('page keys from file digests', () => {
  it('digest an item by its file, the same whether parsed or taken from the parse cache; a list file’s records by their JSON', () => {
    const parsed = load();
    const cached = load();
    const off = load({ CONTENT_CACHE: 'off' });
    const item = parsed.item(ITEM)!.item;
    expect(recordDigest(item)).toMatch(/^[0-9a-f]{40}:[0-9a-f]{40}$/);
    expect(digestOf(item)).toBe(recordDigest(item));
    expect(digestOf(cached.item(ITEM)!.item)).toBe(digestOf(item));
    expect(digestOf(off.item(ITEM)!.item)).toBe(digestOf(item));
    expect(digestOf(cached.plan('wuwei-2017'))).toBe(digestOf(parsed.plan('wuwei-2017')));
    const region = parsed.content.regions[0]!;
    expect(recordDigest(region)).toBeUndefined();
    expect(digestOf(region)).toMatch(/^[\w-]{32}$/);
    expect(keys(cached)).toEqual(keys(parsed));
  });

  it('change for every page printing a changed item, and for no page that does not', () => {
    const before = keys(load());
    const file = join(work, 'items', 'wuwei-2017', '01.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('status: basically-completed', 'status: not-completed'));
    try {
      const after = keys(load());
      for (const k of ['item', 'plan', 'region', 'itemFeed', 'planFeed', 'regionFeed'] as const) expect(after[k], k).not.toBe(before[k]);
      for (const k of ['otherItem', 'otherPlan', 'otherPlanFeed'] as const) expect(after[k], k).toBe(before[k]);
      // A change to the file that leaves the record as it was (a comment) changes the digest: keys err on the side of rendering.
      writeFileSync(file, `${text}# 注释\n`);
      expect(keys(load()).item).not.toBe(before.item);
    } finally {
      writeFileSync(file, text);
    }
    expect(keys(load())).toEqual(before);
  });
});
