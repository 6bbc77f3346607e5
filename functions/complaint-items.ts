/**
 * Which rectification items a complaint concerns (边督边改: complaints turn into rectification
 * work): staff link a complaint to items, or judge it unrelated; the public record names the items,
 * the published list filters by item, and an item page links to its complaints.
 *
 * Items are content, not database rows: they are looked up in the search index (the same database,
 * rebuilt from the content at every start and deploy), so a link can only name an item the site
 * publishes, and its title and plan come from the same place as search results'.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { auditLog, complaintItems, complaints } from '../db/schema.ts';
import { maySee, VERDICTS } from '../src/domain/complaint-handling.ts';
import { isOpen } from '../src/domain/complaint-states.ts';
import { search, type SearchDb } from '../src/search/index-store.ts';
import { regionTreeOf, type Reference } from '../src/site/reference.ts';
import { bigramSimilarity, bigramsOf } from '../src/text/similarity.ts';
import { ForbiddenError, type ComplaintRow } from './complaint-service.ts';
import type { Database } from './db.ts';
import { auditEntry, type StaffUser } from './staff.ts';

/** An item as a link shows it: 《plan》第6项 title. */
export interface LinkedItem {
  id: string;
  title: string;
  url: string;
  plan: string | null;
}

/** Most items one complaint may be linked to (a complaint is about one place and problem). */
export const MAX_LINKED_ITEMS = 10;

/** The published items among `ids`, as links show them, in the order given; unknown ids are left out. */
export async function itemRecords(client: SearchDb, ids: readonly string[]): Promise<LinkedItem[]> {
  if (!ids.length) return [];
  const keys = ids.map((id) => `item:${id}`);
  const rows = (
    await client.execute({ sql: `select id, title, url, facets from search_documents where id in (${keys.map(() => '?').join(',')})`, args: keys })
  ).rows as unknown as { id: string; title: string; url: string; facets: string }[];
  const planIds = [...new Set(rows.flatMap((r) => (JSON.parse(r.facets) as { plan?: string[] }).plan ?? []))];
  const plans = planIds.length
    ? ((await client.execute({ sql: `select id, title from search_documents where id in (${planIds.map(() => '?').join(',')})`, args: planIds.map((p) => `plan:${p}`) })).rows as unknown as { id: string; title: string }[])
    : [];
  const planTitle = new Map(plans.map((p) => [p.id.slice('plan:'.length), p.title]));
  const byId = new Map(
    rows.map((r) => {
      const plan = (JSON.parse(r.facets) as { plan?: string[] }).plan?.[0];
      return [r.id.slice('item:'.length), { id: r.id.slice('item:'.length), title: r.title, url: r.url, plan: (plan && planTitle.get(plan)) ?? null }];
    }),
  );
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

/** The items a complaint is linked to. */
export async function linkedItemIds(db: Database, complaintId: string): Promise<string[]> {
  const rows = await db.select({ itemId: complaintItems.itemId }).from(complaintItems).where(eq(complaintItems.complaintId, complaintId)).orderBy(complaintItems.itemId);
  return rows.map((r) => r.itemId);
}

/** Links for many complaints at once (the published list and its downloads). */
export async function linkedItemsOf(db: Database, complaintIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!complaintIds.length) return out;
  const rows = await db.select().from(complaintItems).where(inArray(complaintItems.complaintId, [...complaintIds])).orderBy(complaintItems.itemId);
  for (const r of rows) out.set(r.complaintId, [...(out.get(r.complaintId) ?? []), r.itemId]);
  return out;
}

/**
 * Items to offer when linking: those of the complaint's own region and the region above it (the
 * city of a county). Items whose topics are about the complaint's kind of pollution (the topics'
 * editorial `pollutionTypes`) come first, then the rest; within each, the items whose title and
 * problem share most words with what the reporter wrote and named (src/text/similarity.ts). A
 * province-wide item is not offered (it would offer every item of the province); staff can still
 * name any item by its id.
 */
export async function itemSuggestions(
  client: SearchDb,
  reference: Reference,
  row: Pick<ComplaintRow, 'region' | 'pollutionTypes' | 'description' | 'suspectedPolluter'>,
  limit = 30,
): Promise<(LinkedItem & { topicMatch: boolean })[]> {
  const regions = regionTreeOf(reference).selfAndAncestorIds(row.region).slice(0, 2);
  const topics = (reference.topics ?? []).filter((t) => t.pollutionTypes.some((p) => row.pollutionTypes.includes(p))).map((t) => t.id);
  // Candidates: the region's items of the matching topics, and its items of any topic; a few more
  // than shown, so that similarity can choose among them.
  const [matching, any] = await Promise.all([
    topics.length ? search(client, { filters: { kind: ['item'], region: regions, topic: topics }, pageSize: limit }) : undefined,
    search(client, { filters: { kind: ['item'], region: regions }, pageSize: Math.min(100, limit * 3) }),
  ]);
  const byTopic = new Set((matching?.results ?? []).map((h) => h.id));
  const hits = [...(matching?.results ?? []), ...any.results.filter((h) => !byTopic.has(h.id))];
  if (!hits.length) return [];
  const texts = await client.execute({ sql: `select id, fields from search_documents where id in (${hits.map(() => '?').join(',')})`, args: hits.map((h) => h.id) });
  const fieldText = new Map(texts.rows.map((r) => [String(r.id), (JSON.parse(String(r.fields)) as { text: string }[]).map((f) => f.text).join('\n')]));
  const complaintWords = bigramsOf(`${row.description}\n${row.suspectedPolluter ?? ''}`);
  return hits
    .map((h, order) => ({ h, order, topicMatch: byTopic.has(h.id), score: bigramSimilarity(complaintWords, bigramsOf(`${h.title}\n${fieldText.get(h.id) ?? ''}`)) }))
    .sort((a, b) => Number(b.topicMatch) - Number(a.topicMatch) || b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ h, topicMatch }) => ({ id: h.id.slice('item:'.length), title: h.title, url: h.url, plan: h.plan?.title ?? null, topicMatch }));
}

export class UnknownItemError extends Error {}

/**
 * Sets the items a complaint concerns (replacing any earlier links), or marks it unrelated to any
 * item (an empty list). Staff who may act on the complaint only; audited in the same transaction.
 */
export async function setLinkedItems(db: Database, client: SearchDb, staff: StaffUser, row: ComplaintRow, itemIds: readonly string[], at: Date): Promise<void> {
  if (staff.role === 'viewer' || !maySee(staff, row.assignedUnit)) throw new ForbiddenError('您无权为该投诉关联整改任务。');
  const ids = [...new Set(itemIds)];
  if (ids.length > MAX_LINKED_ITEMS) throw new UnknownItemError(`一件投诉最多关联 ${MAX_LINKED_ITEMS} 项整改任务。`);
  const known = new Set((await itemRecords(client, ids)).map((i) => i.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new UnknownItemError(`没有这些整改任务：${unknown.join('、')}。请核对任务编号（如 wuwei-2020-10）。`);
  const iso = at.toISOString();
  await db.transaction(async (tx) => {
    await tx.delete(complaintItems).where(eq(complaintItems.complaintId, row.id));
    if (ids.length) await tx.insert(complaintItems).values(ids.map((itemId) => ({ complaintId: row.id, itemId, linkedAt: iso, linkedBy: staff.id })));
    await tx.update(complaints).set({ itemsReviewed: ids.length ? 'linked' : 'unrelated' }).where(and(eq(complaints.id, row.id)));
    await tx.insert(auditLog).values(auditEntry(at, staff.id, ids.length ? 'link_items' : 'mark_unrelated', row.id, ids.join(',') || undefined));
  });
}

/** An item's published linked complaints counted: in all, by verdict (未公开 last) and whether handling is finished. */
export interface ItemComplaintCounts {
  total: number;
  byVerdict: { label: string; count: number }[];
  closed: number;
  open: number;
}

/**
 * Counts the published complaints linked to an item: one range of complaint_items by item, each
 * complaint looked up by its key (an item has few linked complaints; nothing scans the list).
 */
export async function itemComplaintCounts(db: Database, itemId: string): Promise<ItemComplaintCounts> {
  const rows = await db.all<{ verdict: string | null; state: string; n: number }>(sql`
    select c.verdict as verdict, c.state as state, count(*) as n from ${complaintItems} ci join ${complaints} c on c.id = ci.complaint_id
    where ci.item_id = ${itemId} and c.published_at is not null and c.consent_publish = 1 group by c.verdict, c.state`);
  const count = (pick: (r: (typeof rows)[number]) => boolean) => rows.filter(pick).reduce((n, r) => n + Number(r.n), 0);
  const byVerdict = [...VERDICTS, null].map((v) => ({ label: v ?? '未公开', count: count((r) => r.verdict === v) })).filter((v) => v.count > 0);
  const open = count((r) => isOpen(r.state));
  const total = count(() => true);
  return { total, byVerdict, closed: total - open, open };
}

/** A published complaint linked to an item, as a digest names it: the public reference and the published summary only. */
export interface LinkedPublished {
  reference: string;
  summary: string;
}

/**
 * The complaints linked to an item that became public in (after, upTo]: published with consent,
 * at the later of their publication and their link to the item (a complaint published first and
 * linked later becomes the item's then). Newest first, at most `limit`, and how many in all.
 * Read from the item's links (complaint_items_item_idx), each complaint by its key.
 */
export async function linkedPublishedBetween(db: Database, itemId: string, after: string, upTo: string, limit: number): Promise<{ total: number; shown: LinkedPublished[] }> {
  const rows = await db.all<{ reference: string; summary: string | null; at: string }>(sql`
    select c.reference as reference, c.publication ->> '$.summary' as summary, max(c.published_at, l.linked_at) as at
    from ${complaintItems} l join ${complaints} c on c.id = l.complaint_id
    where l.item_id = ${itemId} and c.published_at is not null and c.consent_publish = 1
      and max(c.published_at, l.linked_at) > ${after} and max(c.published_at, l.linked_at) <= ${upTo}
    order by at desc, reference desc`);
  return { total: rows.length, shown: rows.slice(0, limit).map((r) => ({ reference: r.reference, summary: r.summary ?? '' })) };
}
