/**
 * A minimal Atom 1.0 writer (RFC 4287). Every feed carries the elements the
 * RFC requires — feed id, title, updated and author; entry id, title,
 * updated — plus self and alternate links. All text goes through `xmlText`,
 * that is xml.ts's `escapeXml` (it also drops characters XML 1.0 does not allow).
 */
import { escapeXml } from './xml.ts';

export interface AtomEntry {
  id: string;
  title: string;
  /** RFC 3339 date-time. */
  updated: string;
  href: string;
  summary?: string | undefined;
  category?: string | undefined;
}

export interface AtomFeed {
  id: string;
  title: string;
  subtitle?: string | undefined;
  updated: string;
  /** The feed's own URL. */
  self: string;
  /** The HTML page the feed is about. */
  alternate: string;
  author: { name: string; uri?: string | undefined };
  rights?: string | undefined;
  entries: AtomEntry[];
}

/** Text or attribute value, escaped for XML, characters XML 1.0 forbids removed (the one rule in xml.ts). */
export function xmlText(value: string): string {
  return escapeXml(value);
}

/** A date (YYYY-MM-DD, or a partial YYYY-MM / YYYY taken from its first day) at midnight China time, as RFC 3339. */
export function atomDate(date: string): string {
  const [y, m = '01', d = '01'] = date.split('-');
  return `${y}-${m}-${d}T00:00:00+08:00`;
}

export function renderAtom(feed: AtomFeed): string {
  const t = xmlText;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
    `  <id>${t(feed.id)}</id>`,
    `  <title>${t(feed.title)}</title>`,
    ...(feed.subtitle ? [`  <subtitle>${t(feed.subtitle)}</subtitle>`] : []),
    `  <updated>${t(feed.updated)}</updated>`,
    `  <author><name>${t(feed.author.name)}</name>${feed.author.uri ? `<uri>${t(feed.author.uri)}</uri>` : ''}</author>`,
    `  <link rel="self" type="application/atom+xml" href="${t(feed.self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${t(feed.alternate)}"/>`,
    ...(feed.rights ? [`  <rights>${t(feed.rights)}</rights>`] : []),
    ...feed.entries.flatMap((e) => [
      '  <entry>',
      `    <id>${t(e.id)}</id>`,
      `    <title>${t(e.title)}</title>`,
      `    <updated>${t(e.updated)}</updated>`,
      `    <link rel="alternate" type="text/html" href="${t(e.href)}"/>`,
      ...(e.category ? [`    <category term="${t(e.category)}"/>`] : []),
      ...(e.summary ? [`    <summary>${t(e.summary)}</summary>`] : []),
      '  </entry>',
    ]),
    '</feed>',
    '',
  ];
  return lines.join('\n');
}
