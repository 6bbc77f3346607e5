/** Atom feed of status changes and amendments, newest first. */
import type { APIRoute } from 'astro';
import { Feed } from 'feed';
import { getPortal } from '../content/portal.ts';
import { listChanges } from '../site/changes.ts';

export const GET: APIRoute = ({ site }) => {
  const portal = getPortal();
  const base = site!.href.replace(/\/$/, '');
  const changes = listChanges(portal);
  const updated = new Date(`${changes[0]?.date.padEnd(10, '-01').slice(0, 10) ?? portal.asOf}T00:00:00+08:00`);
  const feed = new Feed({
    id: `${base}/`,
    link: `${base}/`,
    title: '督察整改公开平台：整改状态变化',
    description: '整改任务的状态变化与方案修改',
    language: 'zh-CN',
    updated,
    copyright: '内容摘自公开政府文件',
    feedLinks: { atom: `${base}/feed.xml` },
  });
  for (const c of changes.slice(0, 200)) {
    feed.addItem({
      id: `${base}/#${c.id}`,
      title: c.title,
      link: `${base}${c.href}`,
      description: c.summary,
      date: new Date(`${c.date.padEnd(10, '-01').slice(0, 10)}T00:00:00+08:00`),
    });
  }
  return new Response(feed.atom1(), { headers: { 'Content-Type': 'application/atom+xml; charset=utf-8' } });
};
