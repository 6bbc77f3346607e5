/**
 * Rebuilds the search index of the portal's content in DATABASE_URL (the
 * embedded file by default, Turso with DATABASE_AUTH_TOKEN), the way
 * `npm start` and `npm run db:migrate` open it. Run at build/deploy time:
 * the content is replaced in one transaction, so searches never see half an
 * index. Published complaints (another source) are indexed again from the
 * complaints table (migration 0004 removed those keyed by tracking code; 0011
 * drops the whole index of the earlier layout, which this writes again). It also copies the feeds'
 * changes (subscription digests), the rebound watch's item facts (rebound_watch) and the items'
 * facts for the staff escalation view (item_watch).
 *
 *   npm run search:index                 # rebuild: every document written again, then optimize
 *   npm run search:index -- --changed    # by difference (`npm run publish:site`): only documents whose
 *                                        # digest changed are tokenised and written, deleted ones removed,
 *                                        # in one transaction; no optimize (FTS5 merges small segments);
 *                                        # the feeds' changes and item facts also by digest
 */
import { getPortal } from '../src/content/portal.ts';
import { contentDocuments, CONTENT_SOURCE } from '../src/search/content-docs.ts';
import { ensureSearchSchema, KIND_LABELS, optimizeIndex, replaceDocuments, updateDocuments, type SearchDocument, type SearchKind } from '../src/search/index-store.ts';
import { openLocalDatabase, protectLocalData } from '../functions/local.ts';
import { publishedDocuments, reindexPublished } from '../functions/complaint-service.ts';
import { itemTitle } from '../src/content/portal.ts';
import { referenceFrom } from '../src/site/reference.ts';
import { listChanges } from '../src/site/changes.ts';
import { syncChanges } from '../functions/subscription-service.ts';
import { syncReboundWatch } from '../functions/rebound.ts';
import { contentWatches } from '../src/site/watches.ts';
import { syncItemWatch } from '../functions/escalation.ts';
import { itemWatchFacts } from '../src/site/item-watch.ts';

// The database and its backups hold every complaint: files this command makes are for its user only.
process.umask(0o077);

const changedOnly = process.argv.includes('--changed');
const started = performance.now();
const db = await openLocalDatabase();
protectLocalData();
try {
  // The migration creates the tables too; this keeps the command working on a database migrated before it existed.
  await ensureSearchSchema(db.$client);
  const portal = getPortal();
  let docs: SearchDocument[] | undefined = contentDocuments(portal);
  const docCount = docs.length;
  const byKind = new Map<SearchKind, number>();
  for (const d of docs) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
  const reference = referenceFrom(portal.content, itemTitle);
  let complaintsIndexed: number;
  if (changedOnly) {
    // Documents whose digest is the stored one are not tokenised or written (see updateDocuments).
    const content = await updateDocuments(db.$client, CONTENT_SOURCE, docs);
    docs = undefined;
    const complaintDocs = await publishedDocuments(db, reference);
    const complaints = await updateDocuments(db.$client, 'complaint', complaintDocs);
    complaintsIndexed = complaintDocs.length;
    console.log(`按差异更新检索索引：内容记录新增 ${content.added}、改动 ${content.changed}、删除 ${content.removed}、未变 ${content.unchanged}；投诉办理结果新增 ${complaints.added}、改动 ${complaints.changed}、删除 ${complaints.removed}、未变 ${complaints.unchanged}。`);
  } else {
    await replaceDocuments(db.$client, CONTENT_SOURCE, docs);
    // Not kept beside the feeds' change list and the watches below.
    docs = undefined;
    complaintsIndexed = await reindexPublished(db, reference);
    // One FTS5 segment instead of one per write: every query reads each segment.
    await optimizeIndex(db.$client);
  }
  // The feeds' changes, for subscription digests (the Worker makes them from these).
  const changes = await syncChanges(db, listChanges(portal), new Date());
  // The rebound watch's item facts; complaints matching items whose facts changed are flagged now.
  const watches = contentWatches(portal);
  const watch = await syncReboundWatch(db, watches);
  // The items' deadlines, statuses and last status dates, for the staff escalation view (the Worker reads them there).
  const watched = await syncItemWatch(db, itemWatchFacts(portal), new Date());

  const { rows } = await db.$client.execute('SELECT count(*) AS n FROM search_documents');
  console.log(`${changedOnly ? '已按差异更新' : '已重建'}内容检索索引（截至 ${portal.asOf}）：${docCount} 条记录，用时 ${Math.round(performance.now() - started)} 毫秒。`);
  for (const [kind, n] of byKind) console.log(`  ${KIND_LABELS[kind]}（${kind}）：${n}`);
  console.log(`  已公开的投诉办理结果：${complaintsIndexed}`);
  console.log(`索引中共有 ${String(rows[0]!.n)} 条记录（含其他来源，如已公开的投诉）。`);
  console.log(`订阅用的动态列表：新增 ${changes.added} 条，移除 ${changes.removed} 条。`);
  console.log(`反弹监测：${watches.length} 项整改任务在监测中，本次更新 ${watch.changed} 项，新标记 ${watch.flagged} 件、撤销 ${watch.cleared} 件“可能反弹”。`);
  console.log(`督办视图用的整改任务信息：${watched} 条（按任务和责任单位）。`);
} finally {
  db.$client.close();
}
