/**
 * The data files of the record pages — an item's `item.json` and `feed.xml`; a plan's, plan
 * group's, unit's and region's `items.csv`, `items.json` and `feed.xml` — written by
 * scripts/record-files.ts after `astro build`, not by Astro.
 *
 * Why outside Astro: at national scale these are most of the build's files (50,000 items: over
 * 100,000 of about 208,000) and Astro spends about 2–3 ms on each whatever it holds, while making
 * one takes about 0.1 ms (measured at 10,000 items: item feeds 3.4 ms each in `astro build`, 0.1 ms
 * called directly; item.json 1.8 ms against 0.06 ms). Each file carries the same cache key its
 * Astro route carried (src/site/page-keys.ts), so publishing a change rewrites only the files
 * whose key changed.
 *
 * One entry per kind of file; `render` is called only for files that must be written.
 */
import type { Portal } from '../content/portal.ts';
import { ITEM_FILES, itemJson, itemRowsFile } from './downloads.ts';
import { entityFeed, feedPath } from './feeds.ts';
import { feedKey, itemPageKey, listKey, unitLists } from './page-keys.ts';
import { urls } from './urls.ts';

export interface RecordFile {
  /** URL path of the file, e.g. `/items/x/item.json`. */
  path: string;
  /** Changes whenever anything the file holds changes (with the code, which the writer hashes). */
  key: string;
  render: () => string | Uint8Array;
}

/** Every record data file of the portal, item by item then plan, unit and region. */
export function* recordFiles(portal: Portal): Generator<RecordFile> {
  for (const i of portal.items) {
    const id = i.item.id;
    yield { path: `${urls.item(id)}item.json`, key: itemPageKey(portal, i), render: () => itemJson(portal, i) };
    yield { path: feedPath(urls.item(id)), key: feedKey(portal, 'items', id), render: () => entityFeed(portal, 'items', id) };
  }
  for (const p of portal.content.plans) {
    const items = portal.itemsBy.plan.get(p.id) ?? [];
    const key = listKey(portal, [items]);
    for (const file of ITEM_FILES) {
      yield { path: `${urls.plan(p.id)}${file}`, key, render: () => itemRowsFile(portal, items, file, { page: urls.plan(p.id), title: p.title }) };
    }
    yield { path: feedPath(urls.plan(p.id)), key: feedKey(portal, 'plans', p.id), render: () => entityFeed(portal, 'plans', p.id) };
    for (const g of p.groups) {
      const inGroup = () => items.filter((i) => i.item.group === g.id);
      for (const file of ITEM_FILES) {
        yield { path: `${urls.group(p.id, g.id)}${file}`, key, render: () => itemRowsFile(portal, inGroup(), file, { page: urls.group(p.id, g.id), title: `${p.title} ${g.title}` }) };
      }
    }
  }
  for (const u of portal.content.units) {
    const items = portal.itemsBy.responsibleUnit.get(u.id) ?? [];
    const key = listKey(portal, unitLists(portal, u.id));
    for (const file of ITEM_FILES) {
      yield { path: `${urls.unit(u.id)}${file}`, key, render: () => itemRowsFile(portal, items, file, { page: urls.unit(u.id), title: `${u.name}负责的` }) };
    }
    yield { path: feedPath(urls.unit(u.id)), key: feedKey(portal, 'units', u.id), render: () => entityFeed(portal, 'units', u.id) };
  }
  for (const r of portal.content.regions) {
    const items = portal.itemsBy.region.get(r.id) ?? [];
    const key = listKey(portal, [items]);
    for (const file of ITEM_FILES) {
      yield { path: `${urls.region(r.id)}${file}`, key, render: () => itemRowsFile(portal, items, file, { page: urls.region(r.id), title: r.name }) };
    }
    yield { path: feedPath(urls.region(r.id)), key: feedKey(portal, 'regions', r.id), render: () => entityFeed(portal, 'regions', r.id) };
  }
}
