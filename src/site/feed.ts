/** The Atom feed of status changes and amendments (served at /feed.xml). */
import { Feed } from 'feed';
import type { Change } from './changes.ts';
import { xmlSafe } from './xml.ts';

/** Entries in the feed, newest first. */
export const FEED_ENTRIES = 200;

const dayOf = (date: string) => new Date(`${date.padEnd(10, '-01').slice(0, 10)}T00:00:00+08:00`);

/** `base`: the site's address without a trailing slash; `asOf`: the date when there are no changes. */
export function atomFeed(changes: readonly Change[], base: string, asOf: string): string {
  const feed = new Feed({
    id: `${base}/`,
    link: `${base}/`,
    title: '督察整改公开平台：整改状态变化',
    description: '整改任务的状态变化与方案修改',
    language: 'zh-CN',
    updated: dayOf(changes[0]?.date ?? asOf),
    copyright: '内容摘自公开政府文件',
    feedLinks: { atom: `${base}/feed.xml` },
  });
  for (const c of changes.slice(0, FEED_ENTRIES)) {
    feed.addItem({ id: `${base}/#${c.id}`, title: c.title, link: `${base}${c.href}`, description: c.summary, date: dayOf(c.date) });
  }
  // The feed library escapes markup but not the characters XML 1.0 forbids, which copied document text may hold.
  return xmlSafe(feed.atom1());
}
