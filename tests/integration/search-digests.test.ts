/**
 * The index by difference decides from digests (`npm run search:index -- --changed`): on a real
 * libSQL file, the real content indexed, then changed the ways publishing changes it — a plan's
 * title, a region's name, an amendment's text, a later as-of date (overdue statuses) — writes
 * exactly the documents whose published form changed (worked out here from the documents
 * themselves, not from digests), and the index is then the one a rebuild gives. Unchanged content
 * writes nothing. A document written without a digest (a complaint published by staff) is
 * compared by its text. The item watch of the escalation view and the feeds' change list are
 * written by difference too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal, getPortal } from '../../src/content/portal.ts';
import type { Content } from '../../src/content/load.ts';
import { CONTENT_SOURCE, contentDocuments } from '../../src/search/content-docs.ts';
import { ensureSearchSchema, replaceDocuments, updateDocuments, upsertDocument, type SearchDb, type SearchDocument } from '../../src/search/index-store.ts';
import { openLocalDatabase } from '../../functions/local.ts';
import { syncItemWatch } from '../../functions/escalation.ts';
import { syncChanges } from '../../functions/subscription-service.ts';
import { itemWatchFacts } from '../../src/site/item-watch.ts';
import { listChanges } from '../../src/site/changes.ts';

const AS_OF = '2026-06-30';
const base = getPortal().content;
const docsOf = (content: Content, asOf = AS_OF) => contentDocuments(buildPortal(content, asOf));
const baseDocs = docsOf(structuredClone(base));

let dir: string;
const clients: Client[] = [];
let n = 0;

async function indexed(docs: readonly SearchDocument[]): Promise<Client> {
  const client = createClient({ url: `file:${join(dir, `${++n}.db`)}` });
  clients.push(client);
  await ensureSearchSchema(client);
  await replaceDocuments(client, CONTENT_SOURCE, docs);
  return client;
}

async function keysOf(db: SearchDb): Promise<Map<string, number>> {
  const { rows } = await db.execute('SELECT id, doc_key FROM search_documents');
  return new Map(rows.map((r) => [String(r.id), Number(r.doc_key)]));
}
async function storedDocs(db: SearchDb) {
  const { rows } = await db.execute({ sql: 'SELECT id, kind, title, url, date, fields, facets FROM search_documents WHERE source = ? ORDER BY id', args: [CONTENT_SOURCE] });
  return rows.map((r) => ({ ...r }));
}

/** Ids whose published form differs between two document lists (added and removed ones included), by comparing the documents. */
function differing(before: readonly SearchDocument[], after: readonly SearchDocument[]): string[] {
  const form = (d: SearchDocument) => JSON.stringify([d.kind, d.title, d.url, d.date ?? null, d.fields, d.facets]);
  const old = new Map(before.map((d) => [d.id, form(d)]));
  const now = new Map(after.map((d) => [d.id, form(d)]));
  return [...new Set([...old.keys(), ...now.keys()])].filter((id) => old.get(id) !== now.get(id)).sort();
}

/** Indexes the base content, updates to `after` by difference, and checks what was written against what differs. */
async function updatedTo(after: readonly SearchDocument[]) {
  const db = await indexed(baseDocs);
  const before = await keysOf(db);
  const report = await updateDocuments(db, CONTENT_SOURCE, after);
  const keys = await keysOf(db);
  // Written: a document with a new key, or gone.
  const written = [...new Set([...before.keys(), ...keys.keys()])].filter((id) => before.get(id) !== keys.get(id)).sort();
  expect(written).toEqual(differing(baseDocs, after));
  expect(report.added + report.changed + report.removed).toBe(written.length);
  expect(report.unchanged).toBe(after.length - report.added - report.changed);
  // …and the index is the one a rebuild gives.
  expect(await storedDocs(db)).toEqual(await storedDocs(await indexed(after)));
  return written;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portal-search-digests-'));
});
afterAll(() => {
  for (const c of clients) c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the index by difference, decided by digests', () => {
  it('writes nothing when the content is unchanged (loaded again, not the same objects)', async () => {
    const db = await indexed(baseDocs);
    const before = await keysOf(db);
    const again = docsOf(structuredClone(base));
    expect(await updateDocuments(db, CONTENT_SOURCE, again)).toEqual({ added: 0, changed: 0, removed: 0, unchanged: again.length });
    expect(await keysOf(db)).toEqual(before);
  });

  it('rewrites the plan record when a plan is renamed', async () => {
    const content = structuredClone(base);
    const plan = content.plans.find((p) => p.id === 'wuwei-2020')!;
    plan.title = `${plan.title}（修订）`;
    const written = await updatedTo(docsOf(content));
    expect(written).toContain('plan:wuwei-2020');
  });

  it('rewrites the records that name a region when it is renamed', async () => {
    const content = structuredClone(base);
    const region = content.regions.find((r) => r.id === 'gansu-dingxi')!;
    region.name = `${region.name}（更名）`;
    const written = await updatedTo(docsOf(content));
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((id) => id.endsWith(':gansu-dingxi'))).toBe(true);
  });

  it('rewrites the item, its amendment record and the plan when an amendment changes', async () => {
    const content = structuredClone(base);
    const change = content.plans.find((p) => p.id === 'wuwei-2020')!.amendments[0]!.changes.find((c) => c.item === 'wuwei-2020-10')!;
    change.after = `${change.after}优良天数比例达到九成。`;
    const written = await updatedTo(docsOf(content));
    expect(written).toContain('item:wuwei-2020-10');
    expect(written.some((id) => id.startsWith('amendment:') && id.includes(':wuwei-2020-10:'))).toBe(true);
  });

  it('rewrites the items whose text the as-of date changes (an amendment not yet in force), and only those', async () => {
    // Overdue is not part of a search document (the pages and item_watch work it out from the due date);
    // what the as-of date changes here is which amendments are in force: wuwei-2020's of 2020-11-25.
    const earlier = docsOf(structuredClone(base), '2020-11-01');
    const written = await updatedTo(earlier);
    expect(written).toEqual(['item:wuwei-2020-06', 'item:wuwei-2020-10', 'item:wuwei-2020-12', 'item:wuwei-2020-14']);
  });

  it('compares a document written without a digest by its text, and keeps it when equal', async () => {
    const db = await indexed(baseDocs);
    const complaint: SearchDocument = { id: 'complaint:2026-000001', source: 'complaint', kind: 'complaint', title: '投诉办理结果 2026-000001：夜间偷排', url: '/complaints/2026-000001/', fields: [{ key: 'summary', label: '交办问题基本情况', column: 'problem', text: '夜间偷排废水' }], facets: { region: ['gansu'] } };
    await upsertDocument(db, complaint);
    const key = (await keysOf(db)).get(complaint.id);
    const digests = async () => (await db.execute({ sql: 'SELECT count(*) AS n FROM search_digests WHERE doc_key = ?', args: [key!] })).rows[0]!.n;
    expect(await digests()).toBe(0);
    expect(await updateDocuments(db, 'complaint', [complaint])).toEqual({ added: 0, changed: 0, removed: 0, unchanged: 1 });
    expect((await keysOf(db)).get(complaint.id)).toBe(key);
    expect(await digests()).toBe(1);
    // Written again by staff (a new key, no digest), then changed in the content: rewritten.
    await upsertDocument(db, complaint);
    const edited = { ...complaint, title: '投诉办理结果 2026-000001：夜间偷排（更正）' };
    expect(await updateDocuments(db, 'complaint', [edited])).toEqual({ added: 0, changed: 1, removed: 0, unchanged: 0 });
    const { rows } = await db.execute({ sql: 'SELECT title FROM search_documents WHERE id = ?', args: [complaint.id] });
    expect(rows[0]!.title).toBe(edited.title);
    // No digest is left behind for a key no longer in the index.
    const orphans = await db.execute('SELECT count(*) AS n FROM search_digests WHERE doc_key NOT IN (SELECT doc_key FROM search_documents)');
    expect(orphans.rows[0]!.n).toBe(0);
  });
});

describe('the derived rows of the index run, by difference', () => {
  it('rewrites only the item watch rows of items whose facts changed, and removes those of items gone', async () => {
    const db = await openLocalDatabase(`file:${join(dir, 'watch.db')}`);
    try {
      const portal = buildPortal(structuredClone(base), AS_OF);
      const facts = itemWatchFacts(portal);
      const rows = async () => {
        const { rows: r } = await db.$client.execute('SELECT item_id, unit, status, synced_at FROM item_watch ORDER BY item_id, unit');
        return r.map((x) => ({ ...x }));
      };
      await syncItemWatch(db, facts, new Date('2026-07-01T00:00:00Z'));
      const first = await rows();
      expect(first).toHaveLength(facts.length);
      await syncItemWatch(db, itemWatchFacts(buildPortal(structuredClone(base), AS_OF)), new Date('2026-07-02T00:00:00Z'));
      expect(await rows()).toEqual(first);

      const target = facts[0]!.itemId;
      const gone = facts.find((f) => f.itemId !== target)!.itemId;
      const changed = facts.filter((f) => f.itemId !== gone).map((f) => (f.itemId === target ? { ...f, status: 'completed', done: true } : f));
      await syncItemWatch(db, changed, new Date('2026-07-03T00:00:00Z'));
      const now = await rows();
      expect(now.filter((r) => r.item_id === gone)).toEqual([]);
      for (const r of now) {
        if (r.item_id === target) expect(r).toMatchObject({ status: 'completed', synced_at: '2026-07-03T00:00:00.000Z' });
        else expect(r.synced_at).toBe('2026-07-01T00:00:00.000Z');
      }
      expect(now).toHaveLength(changed.length);

      // An earlier as-of date: statuses disclosed after it are not yet known (undisclosed, silent since the plan).
      const earlier = itemWatchFacts(buildPortal(structuredClone(base), '2019-06-30'));
      const moved = new Set(earlier.filter((f) => JSON.stringify(f) !== JSON.stringify(facts.find((g) => g.itemId === f.itemId && g.unit === f.unit))).map((f) => f.itemId));
      expect(moved.size).toBeGreaterThan(0);
      expect(moved.size).toBeLessThan(new Set(facts.map((f) => f.itemId)).size);
      await syncItemWatch(db, facts, new Date('2026-07-04T00:00:00Z'));
      await syncItemWatch(db, earlier, new Date('2026-07-05T00:00:00Z'));
      const { rows: at } = await db.$client.execute('SELECT item_id, due, synced_at FROM item_watch');
      for (const r of at) expect(r.synced_at === '2026-07-05T00:00:00.000Z', String(r.item_id)).toBe(moved.has(String(r.item_id)));
      expect(at.length).toBe(earlier.length);
    } finally {
      db.$client.close();
    }
  });

  it('rewrites only the feed changes whose text or targets changed', async () => {
    const db = await openLocalDatabase(`file:${join(dir, 'changes.db')}`);
    try {
      const changes = listChanges(buildPortal(structuredClone(base), AS_OF));
      expect(await syncChanges(db, changes, new Date('2026-07-01T00:00:00Z'))).toEqual({ added: changes.length, removed: 0 });
      const events = async () => (await db.$client.execute('SELECT seq, id, title, removed_at, digest FROM change_events ORDER BY seq')).rows.map((r) => ({ ...r }));
      const targets = async () => (await db.$client.execute('SELECT rowid, target, change_seq FROM change_targets ORDER BY rowid')).rows.map((r) => ({ ...r }));
      const [e1, t1] = [await events(), await targets()];
      expect(e1.every((e) => typeof e.digest === 'string')).toBe(true);
      expect(await syncChanges(db, changes, new Date('2026-07-02T00:00:00Z'))).toEqual({ added: 0, removed: 0 });
      // Not written again: the same rows, the targets with the same rowids.
      expect(await events()).toEqual(e1);
      expect(await targets()).toEqual(t1);

      const [first, second] = changes;
      const edited = [{ ...first!, title: `${first!.title}（更正）` }, ...changes.slice(2)];
      expect(await syncChanges(db, edited, new Date('2026-07-03T00:00:00Z'))).toEqual({ added: 0, removed: 1 });
      const e3 = await events();
      expect(e3.find((e) => e.id === first!.id)).toMatchObject({ title: `${first!.title}（更正）`, removed_at: null });
      expect(e3.find((e) => e.id === second!.id)!.removed_at).toBe('2026-07-03T00:00:00.000Z');
      const firstSeq = e3.find((e) => e.id === first!.id)!.seq;
      // Only the edited change's targets were written again.
      expect((await targets()).filter((t) => t.change_seq !== firstSeq)).toEqual(t1.filter((t) => t.change_seq !== firstSeq));
      // Listed again: no longer removed.
      await syncChanges(db, changes, new Date('2026-07-04T00:00:00Z'));
      expect((await events()).find((e) => e.id === second!.id)!.removed_at).toBeNull();
    } finally {
      db.$client.close();
    }
  });
});
