/**
 * The search index updated by difference (`npm run search:index -- --changed`, run by
 * `npm run publish`): on the real content, one changed item, one removed and one added document
 * are the only ones written; the index then answers exactly as one rebuilt from scratch; other
 * sources are untouched; both ways of writing (a script on a local file, bound statements
 * elsewhere) give the same result; and a failure writes nothing (one transaction).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPortal } from '../../src/content/portal.ts';
import { CONTENT_SOURCE, contentDocuments } from '../../src/search/content-docs.ts';
import {
  ensureSearchSchema,
  replaceDocuments,
  search,
  updateDocuments,
  upsertDocument,
  type SearchDb,
  type SearchDocument,
} from '../../src/search/index-store.ts';

let dir: string;
const clients: Client[] = [];
const docs = contentDocuments(getPortal());

async function fresh(name: string, initial: readonly SearchDocument[]): Promise<Client> {
  const client = createClient({ url: `file:${join(dir, `${name}.db`)}` });
  clients.push(client);
  await ensureSearchSchema(client);
  await replaceDocuments(client, CONTENT_SOURCE, initial);
  return client;
}

/** Every stored document of a source, as search shows them, by id (keys differ between the two ways of getting there). */
async function storedDocs(db: SearchDb, source: string) {
  const { rows } = await db.execute({ sql: 'SELECT id, kind, title, url, date, fields, facets FROM search_documents WHERE source = ? ORDER BY id', args: [source] });
  return rows.map((r) => ({ ...r }));
}
async function keysOf(db: SearchDb): Promise<Map<string, number>> {
  const { rows } = await db.execute('SELECT id, doc_key FROM search_documents');
  return new Map(rows.map((r) => [String(r.id), Number(r.doc_key)]));
}

/** The content after an edit: one item's problem text changed, one plan removed, one document added. */
const item = docs.find((d) => d.kind === 'item' && d.fields.some((f) => f.key === 'problem'))!;
const gone = docs.find((d) => d.kind === 'plan')!;
const added: SearchDocument = { ...item, id: 'item:update-test-new', title: '新增的整改任务：饮用水水源地违建清理', url: '/items/update-test-new/' };
const edited: SearchDocument = { ...item, fields: item.fields.map((f) => (f.key === 'problem' ? { ...f, text: `${f.text}另查明违规排放苯并芘。` } : f)) };
const after = [...docs.filter((d) => d.id !== item.id && d.id !== gone.id), edited, added];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portal-search-update-'));
});
afterAll(() => {
  for (const c of clients) c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('updateDocuments', () => {
  it('writes only what changed, and nothing when nothing did', async () => {
    const db = await fresh('diff', docs);
    const before = await keysOf(db);
    expect(await updateDocuments(db, CONTENT_SOURCE, docs)).toEqual({ added: 0, changed: 0, removed: 0, unchanged: docs.length });
    expect(await keysOf(db)).toEqual(before);

    const r = await updateDocuments(db, CONTENT_SOURCE, after);
    expect(r).toEqual({ added: 1, changed: 1, removed: 1, unchanged: docs.length - 2 });
    const keys = await keysOf(db);
    // Unchanged documents keep their keys; the changed one has a new key (keys are never reused).
    for (const [id, key] of before) if (id !== item.id && id !== gone.id) expect(keys.get(id)).toBe(key);
    expect(keys.get(item.id)).not.toBe(before.get(item.id));
    // …after every other item's (the kind stays in the key's high bits).
    const itemKeys = [...before].filter(([id]) => id.startsWith('item:')).map(([, k]) => k);
    expect(Math.max(...itemKeys)).toBeLessThan(keys.get(item.id)!);
    expect(keys.has(gone.id)).toBe(false);
    expect(keys.has(added.id)).toBe(true);
  });

  it('gives the index a rebuild would: the same documents and the same answers', async () => {
    const updated = await fresh('updated', docs);
    await updateDocuments(updated, CONTENT_SOURCE, after);
    const rebuilt = await fresh('rebuilt', after);
    expect(await storedDocs(updated, CONTENT_SOURCE)).toEqual(await storedDocs(rebuilt, CONTENT_SOURCE));
    for (const q of ['苯并芘', '饮用水水源地违建清理', gone.title.slice(0, 6), '整改']) {
      const [a, b] = [await search(updated, { q, pageSize: 100 }), await search(rebuilt, { q, pageSize: 100 })];
      expect(new Set(a.results.map((h) => h.id)), q).toEqual(new Set(b.results.map((h) => h.id)));
      expect(a.total, q).toBe(b.total);
      expect(a.facets, q).toEqual(b.facets);
    }
    expect((await search(updated, { q: '苯并芘' })).results.map((h) => h.id)).toContain(item.id);
    expect((await search(updated, { q: '饮用水水源地违建清理' })).results.map((h) => h.id)).toContain(added.id);
  });

  it('leaves other sources alone', async () => {
    const db = await fresh('sources', docs);
    const complaint: SearchDocument = { id: 'complaint:2026-000001', source: 'complaint', kind: 'complaint', title: '投诉办理结果 2026-000001：夜间偷排', url: '/complaints/2026-000001/', fields: [{ key: 'summary', label: '交办问题基本情况', column: 'problem', text: '夜间偷排废水' }], facets: {} };
    await upsertDocument(db, complaint);
    await updateDocuments(db, CONTENT_SOURCE, after);
    expect((await storedDocs(db, 'complaint')).map((r) => r.id)).toEqual([complaint.id]);
    expect(await updateDocuments(db, 'complaint', [])).toMatchObject({ removed: 1 });
    expect(await storedDocs(db, 'complaint')).toEqual([]);
    await expect(updateDocuments(db, 'complaint', [docs[0]!])).rejects.toThrow(/不能写入来源/);
  });

  it('gives the same index through bound statements (a remote database) as through a script', async () => {
    const script = await fresh('script', docs);
    await updateDocuments(script, CONTENT_SOURCE, after);
    const bound = await fresh('bound', docs);
    // Without `protocol`/`transaction` the client is written with bound statements, as Turso is.
    const remote: SearchDb = { execute: (s) => bound.execute(s), batch: (s, m) => bound.batch(s, m) };
    expect(await updateDocuments(remote, CONTENT_SOURCE, after)).toEqual({ added: 1, changed: 1, removed: 1, unchanged: docs.length - 2 });
    expect(await storedDocs(bound, CONTENT_SOURCE)).toEqual(await storedDocs(script, CONTENT_SOURCE));
  });

  it('writes nothing when a document cannot be written (one transaction)', async () => {
    const db = await fresh('atomic', docs);
    const before = await storedDocs(db, CONTENT_SOURCE);
    const broken = { ...added, kind: 'nonsense' } as unknown as SearchDocument;
    await expect(updateDocuments(db, CONTENT_SOURCE, [...after, broken])).rejects.toThrow();
    expect(await storedDocs(db, CONTENT_SOURCE)).toEqual(before);
  });
});
