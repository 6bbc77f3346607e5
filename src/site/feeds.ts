/**
 * The portal's Atom feeds: one for the whole site (/feed.xml) and one per
 * item, plan, unit and region (`<page>/feed.xml`), all built from the same
 * event list (src/site/changes.ts) and written by src/site/atom.ts.
 */
import type { Portal } from '../content/portal.ts';
import { atomDate, renderAtom, type AtomFeed } from './atom.ts';
import { CHANGE_KIND_LABELS, changesOf, type Change, type FeedScope } from './changes.ts';
import { absoluteUrl } from './site-url.ts';
import { urls } from './urls.ts';

/** At most this many entries per feed, newest first. */
export const FEED_LIMIT = 200;

export const FEED_KINDS: Record<FeedScope, { page: (id: string) => string; name: (portal: Portal, id: string) => string | undefined }> = {
  items: { page: urls.item, name: (p, id) => { const i = p.item(id); return i && `${i.plan.title} ${i.numberLabel}`; } },
  plans: { page: urls.plan, name: (p, id) => p.plan(id)?.title },
  units: { page: urls.unit, name: (p, id) => p.unit(id)?.name },
  regions: { page: urls.region, name: (p, id) => p.region(id)?.name },
};

/** The URL path of a page's feed: `/items/x/` → `/items/x/feed.xml`. */
export const feedPath = (pagePath: string) => `${pagePath}feed.xml`;

let cache: { portal: Portal; changes: Change[]; byScope: Partial<Record<FeedScope, Map<string, Change[]>>> } | undefined;
function changesFor(portal: Portal): Change[] {
  if (cache?.portal !== portal) cache = { portal, changes: changesOf(portal), byScope: {} };
  return cache.changes;
}

/** changesFor(changes, scope, id) for every id at once: one pass, not one per feed (50,000 item feeds). */
function scopedChanges(portal: Portal, scope: FeedScope, id: string): Change[] {
  const changes = changesFor(portal);
  let index = cache!.byScope[scope];
  if (!index) {
    index = new Map();
    for (const c of changes) {
      for (const key of new Set(c.scope[scope])) {
        const list = index.get(key);
        if (list) list.push(c);
        else index.set(key, [c]);
      }
    }
    cache!.byScope[scope] = index;
  }
  return index.get(id) ?? [];
}

function feed(portal: Portal, changes: Change[], opts: { id: string; title: string; subtitle: string; page: string }): string {
  const entries = changes.slice(0, FEED_LIMIT).map((c) => ({
    id: absoluteUrl(`/#${c.id}`),
    title: c.title,
    updated: atomDate(c.date),
    href: absoluteUrl(c.href),
    summary: c.summary,
    category: CHANGE_KIND_LABELS[c.kind],
  }));
  const doc: AtomFeed = {
    id: opts.id,
    title: opts.title,
    subtitle: opts.subtitle,
    // The newest event; a feed with none is as of the build date.
    updated: entries[0]?.updated ?? atomDate(portal.asOf),
    self: absoluteUrl(feedPath(opts.page)),
    alternate: absoluteUrl(opts.page),
    author: { name: '督察整改公开平台', uri: absoluteUrl('/') },
    rights: '内容摘自公开政府文件',
    entries,
  };
  return renderAtom(doc);
}

const SUBTITLE = '状态变化、方案修改、到期未公开完成、验收销号公示、典型案例与上报情况';

export function siteFeed(portal: Portal): string {
  return feed(portal, changesFor(portal), { id: absoluteUrl('/'), title: '督察整改公开平台：整改动态', subtitle: SUBTITLE, page: '/' });
}

/** What a page's feed is made from (besides the as-of date): its name and its entries. */
export function feedInputs(portal: Portal, scope: FeedScope, id: string): { name: string; changes: Change[] } {
  return { name: FEED_KINDS[scope].name(portal, id) ?? id, changes: scopedChanges(portal, scope, id) };
}

export function entityFeed(portal: Portal, scope: FeedScope, id: string): string {
  const { name, changes } = feedInputs(portal, scope, id);
  const page = FEED_KINDS[scope].page(id);
  return feed(portal, changes, { id: absoluteUrl(page), title: `${name}：整改动态 - 督察整改公开平台`, subtitle: SUBTITLE, page });
}

export const atomResponse = (body: string) => new Response(body, { headers: { 'Content-Type': 'application/atom+xml; charset=utf-8' } });
