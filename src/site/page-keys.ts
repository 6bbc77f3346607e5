/**
 * Cache keys of the prerendered pages, for Astro's incremental build (astro.config.mjs,
 * `experimental.incrementalBuild`): a page returned by getStaticPaths() with a `cacheKey` is copied
 * from the previous build when its key and its code are both unchanged. A key must therefore change
 * whenever anything the page prints changes; every key here hashes the as-of date (printed on every
 * page, and the date overdue flags are judged at) with the records the page prints:
 *
 * - an item's page and item.json: the item, its plan (amendments, groups), inspection, regions,
 *   topics and units, every source it or its plan cites (with the archived copy and the source's
 *   place in the paged register), the links to its people (their page of /people/), and what it
 *   shows of related and later items, cases and reporting rounds;
 * - list pages (plan, unit, region, topic, source, inspection, people, paged indexes, open-data
 *   files): the digest of every non-item record (names, plans, sources…) and the digests of the
 *   items the page lists, in order — an item's digest covers its record and its plan, from which
 *   its current text and assessment are derived;
 * - feeds: the entries the feed prints (its newest FEED_LIMIT events) and its name.
 *
 * A record read from a file of its own (an item, a plan…) is digested by that file's bytes and the
 * loader's code (recordDigest, src/content/load.ts: the parse cache already has the SHA-1), so the
 * keys of a build do not serialise every record again; other records by their JSON.
 *
 * Pages without getStaticPaths (home, dashboards, indexes' first pages) are rendered every build.
 * Code and layout changes are Astro's part: it hashes each page's module graph.
 */
import { correctionsFor } from './corrections.ts';
import { createHash } from 'node:crypto';
import type { Portal, PortalItem } from '../content/portal.ts';
import { readArchive } from '../content/archive.ts';
import { recordDigest } from '../content/load.ts';
import { sourceEntry } from './lists.ts';
import { personHref } from './people.ts';
import { FEED_LIMIT, feedInputs } from './feeds.ts';
import type { Change, FeedScope } from './changes.ts';

/** Raised when what a key covers changes shape, so no key of an older layout is ever reused. */
const KEY_VERSION = 1;

const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 32);

const digests = new WeakMap<object, string>();
/** The digest of one record, computed once per record (a plan is printed by each of its items). */
export function digestOf(value: object | undefined): string {
  if (!value) return '-';
  let d = digests.get(value);
  if (d === undefined) {
    d = recordDigest(value) ?? hash(JSON.stringify(value));
    digests.set(value, d);
  }
  return d;
}

/** A page's key: the as-of date and what the page prints. */
function key(portal: Portal, parts: unknown[]): string {
  return hash(JSON.stringify([KEY_VERSION, portal.asOf, parts]));
}

const itemDigests = new WeakMap<PortalItem, string>();
/** An item as list rows show it: its record and its plan (current text, assessment and titles derive from both and the as-of date). */
export function itemDigest(p: PortalItem): string {
  let d = itemDigests.get(p);
  if (d === undefined) {
    d = hash(`${digestOf(p.item)} ${digestOf(p.plan)}`);
    itemDigests.set(p, d);
  }
  return d;
}

/** The digest of a list of items, in order. */
export function itemsDigest(items: readonly PortalItem[]): string {
  return hash(items.map(itemDigest).join(' '));
}

const references = new WeakMap<Portal, string>();
/** Every record that is not an item (regions, units, topics, plans, inspections, sources and their archived copies, cases, rounds, summaries). */
export function referenceDigest(portal: Portal): string {
  let d = references.get(portal);
  if (d === undefined) {
    const { items: _items, ...rest } = portal.content;
    const archives = portal.content.sources.map((s) => (s.archivedCopy ? readArchive(s.archivedCopy)?.sha256 ?? '' : ''));
    d = hash(JSON.stringify([rest, archives]));
    references.set(portal, d);
  }
  return d;
}

/** The key of a page listing these items (and printing any non-item record): `extra` for what else it shows. */
export function listKey(portal: Portal, lists: readonly (readonly PortalItem[])[], extra: unknown = null): string {
  return key(portal, [referenceDigest(portal), lists.map(itemsDigest), extra]);
}

/** Every source document id a record cites (`{ doc: … }` anywhere inside it). */
function citedDocs(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) citedDocs(v, out);
  else if (value && typeof value === 'object') {
    const doc = (value as { doc?: unknown }).doc;
    if (typeof doc === 'string') out.add(doc);
    for (const v of Object.values(value)) citedDocs(v, out);
  }
  return out;
}

const planDocs = new WeakMap<object, string[]>();
function docsOfPlan(plan: PortalItem['plan']): string[] {
  let docs = planDocs.get(plan);
  if (!docs) {
    docs = [...citedDocs(plan, new Set())];
    planDocs.set(plan, docs);
  }
  return docs;
}

/** A cited source as citations print it: its record, its archived copy, its place in the register. */
function sourceDigest(portal: Portal, id: string): unknown {
  const s = portal.source(id);
  if (!s) return [id, null];
  return [digestOf(s), s.archivedCopy ? readArchive(s.archivedCopy)?.sha256 ?? null : null, sourceEntry(portal.content.sources, id)];
}

const itemKeys = new WeakMap<PortalItem, string>();
/** The key of an item's page and its item.json (computed once for both). */
export function itemPageKey(portal: Portal, p: PortalItem): string {
  let k = itemKeys.get(p);
  if (k === undefined) {
    k = itemKeyOf(portal, p);
    itemKeys.set(p, k);
  }
  return k;
}

function itemKeyOf(portal: Portal, p: PortalItem): string {
  const { item } = p;
  const unitIds = [...new Set(p.parts.flatMap((part) => [...(part.responsibleUnits?.units ?? []), ...(part.supervisingUnits?.units ?? [])]))];
  const people = p.parts.flatMap((part) => [
    ...(part.responsibleLeaders?.names ?? []).map((n) => personHref(portal, 'leader', n)),
    ...(part.responsiblePersons?.names ?? []).map((n) => personHref(portal, 'person', n)),
  ]);
  const docs = [...new Set([...citedDocs(item, new Set()), ...docsOfPlan(p.plan)])];
  const related = item.relatedItems.map((id) => {
    const r = portal.item(id);
    return r && [id, r.plan.title, r.numberLabel, r.assessment.status];
  });
  const later = (portal.itemsBy.relatedItem.get(item.id) ?? []).map((r) => [r.item.id, r.plan.title, r.numberLabel, r.title]);
  const cases = portal.content.cases.filter((c) => c.relatedItems.includes(item.id)).map((c) => [c.id, c.title]);
  const rounds = portal.content.reportingRounds.filter((r) => r.relatedItems.includes(item.id)).map((r) => [r.id, r.title]);
  return key(portal, [
    'item',
    itemDigest(p),
    digestOf(p.inspection),
    item.regions.map((r) => digestOf(portal.region(r))),
    item.topics.map((t) => digestOf(portal.content.topics.find((x) => x.id === t))),
    unitIds.map((u) => digestOf(portal.unit(u))),
    people,
    docs.map((d) => sourceDigest(portal, d)),
    related,
    later,
    cases,
    rounds,
  ]);
}

const changeDigests = new WeakMap<Change, string>();
/** An event as a feed prints it, digested once (it is in the feeds of its item, plan, units and regions). */
function changeDigest(c: Change): string {
  let d = changeDigests.get(c);
  if (d === undefined) {
    d = hash(JSON.stringify(c));
    changeDigests.set(c, d);
  }
  return d;
}

/** The key of a feed: the entries it prints (the newest FEED_LIMIT) and its name. */
export function feedKey(portal: Portal, scope: FeedScope, id: string): string {
  const { name, changes } = feedInputs(portal, scope, id);
  return key(portal, ['feed', scope, id, name, changes.slice(0, FEED_LIMIT).map(changeDigest)]);
}

/** The items a unit's page and files list: those it is responsible for, then those it supervises. */
export function unitLists(portal: Portal, id: string): PortalItem[][] {
  return [portal.itemsBy.responsibleUnit.get(id) ?? [], portal.itemsBy.supervisingUnit.get(id) ?? []];
}

/** The items of an inspection's plans. */
export function inspectionLists(portal: Portal, id: string): PortalItem[][] {
  return portal.content.plans.filter((p) => p.inspection === id).map((p) => portal.itemsBy.plan.get(p.id) ?? []);
}

/** The items a case or a reporting round names. */
export function relatedItems(portal: Portal, ids: readonly string[]): PortalItem[] {
  return ids.flatMap((id) => portal.item(id) ?? []);
}

/** The same key on every path of a route. */
/**
 * A record page's key with the corrections it shows (CorrectionsNote, src/site/corrections.ts): a
 * correction decided after its content was fixed reaches the page at the next build even if
 * nothing else about the page changed.
 */
export function withCorrections(cacheKey: string, pagePath: string): string {
  const corrections = correctionsFor(pagePath);
  return corrections.length ? `${cacheKey}:${hash(JSON.stringify(corrections))}` : cacheKey;
}

export function withKeys<T extends object>(paths: T[], cacheKey: string): (T & { cacheKey: string })[] {
  return paths.map((p) => ({ ...p, cacheKey }));
}
