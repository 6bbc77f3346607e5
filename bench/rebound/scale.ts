/**
 * The rebound watch at scale (functions/rebound.ts): a made-up province of 14 cities and 100
 * counties, N complaints (default 200,000) spread over six years, 2,021 watched items (one
 * province-wide, 20 city-wide, 2,000 county-level). Times the first index run that watches them,
 * an unchanged run, a run with 21 changed items, an item's count, the queue filtered to possible
 * rebounds, the flags of a page, an item's section queries; prints the plans of the two hot
 * queries and the row counts. A fresh database in a temporary folder, removed at exit.
 *
 *   npm run bench:rebound            N=1000000 npm run bench:rebound
 */
import { openLocalDatabase } from '../../functions/local.ts';
import { syncReboundWatch, itemRebounds, reboundsBetween, reboundItemsOf } from '../../functions/rebound.ts';
import { itemComplaintCounts } from '../../functions/complaint-items.ts';
import { listPublished, queue } from '../../functions/complaint-service.ts';
import { watchOf, type TopicMapping, type WatchedItemFacts } from '../../src/domain/rebound.ts';
import { RegionTree, type RegionLike } from '../../src/domain/region-tree.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.env.N ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'rebound-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const db = await openLocalDatabase(`file:${join(dir, 'bench.db')}`);
const c = db.$client;
// 1 province, 14 cities, 100 counties.
const regions: RegionLike[] = [{ id: 'p', name: '省', level: 'province' }];
for (let i = 0; i < 14; i++) regions.push({ id: `c${i}`, name: `市${i}`, level: 'prefecture', parent: 'p' });
for (let j = 0; j < 100; j++) regions.push({ id: `k${j}`, name: `县${j}`, level: 'county', parent: `c${j % 14}` });
const tree = new RegionTree(regions);
const counties = regions.filter((r) => r.level === 'county').map((r) => r.id);
const types = ['大气', '水', '噪声', '固体废物', '生态破坏'];
let t = performance.now();
const start = Date.parse('2020-01-01T00:00:00Z');
for (let i = 0; i < N; i += 5000) {
  const rows = [];
  for (let k = i; k < Math.min(N, i + 5000); k++) {
    const created = new Date(start + k * ((6 * 365 * 86400_000) / N)).toISOString();
    rows.push({ id: `id-${k}`, ref: `R-${String(k).padStart(7, '0')}`, region: counties[k % counties.length], types: JSON.stringify([types[k % 5], ...(k % 7 === 0 ? [types[(k + 1) % 5]] : [])]), created, state: k % 10 === 0 ? 'rejected' : 'accepted', pub: k % 3 === 0 ? created : null });
  }
  await c.execute({ sql: `INSERT INTO complaints (id, reference, tracking_code, idempotency_key, state, pollution_types, region, address, observed_at, description, anonymous, consent_publish, client_hash, created_at, updated_at, published_at, publication)
    SELECT value->>'id', value->>'ref', value->>'id' || 't', value->>'id' || 'k', value->>'state', value->>'types', value->>'region', 'a', '2020-01-01', 'd', 1, 1, 'h', value->>'created', value->>'created', value->>'pub', CASE WHEN value->>'pub' IS NULL THEN NULL ELSE '{"summary":"s","investigation":"i","result":"r"}' END FROM json_each(?)`, args: [JSON.stringify(rows)] });
}
console.log(`inserted ${N} complaints in ${Math.round(performance.now() - t)} ms`);
// Items: 2000 watched: 1 province-wide air, 20 city-level water, rest county-level mixed.
const topics: TopicMapping[] = [{ id: 'air', pollutionTypes: ['大气'] }, { id: 'wastewater', pollutionTypes: ['水'] }, { id: 'solid-waste', pollutionTypes: ['固体废物'] }];
const items: WatchedItemFacts[] = [];
items.push({ id: 'prov-air', regions: ['p'], topics: ['air'], status: 'completed', doneOn: '2022-06-30' });
for (let i = 0; i < 20; i++) items.push({ id: `city-${i}`, regions: [`c${i % 14}`], topics: ['wastewater'], status: 'completed', doneOn: '2023-01' });
for (let i = 0; i < 2000; i++) items.push({ id: `county-${i}`, regions: [counties[i % 100]!], topics: [['air', 'wastewater', 'solid-waste'][i % 3]!], status: 'basically-completed', doneOn: `202${1 + (i % 5)}-0${1 + (i % 9)}-15` });
const watches = items.map((i) => watchOf(i, topics, tree)!);
t = performance.now();
const r1 = await syncReboundWatch(db, watches);
console.log('first sync', r1, Math.round(performance.now() - t), 'ms');
t = performance.now();
const r2 = await syncReboundWatch(db, watches);
console.log('unchanged sync', r2, Math.round(performance.now() - t), 'ms');
const changed = watches.map((w, i) => (i % 100 === 1 ? watchOf({ ...items[i]!, doneOn: '2025-12-31' }, topics, tree)! : w));
t = performance.now();
console.log('20 changed', await syncReboundWatch(db, changed), Math.round(performance.now() - t), 'ms');
const time = async (label: string, f: () => Promise<unknown>) => { const t0 = performance.now(); const r = await f(); console.log(label, Math.round((performance.now() - t0) * 10) / 10, 'ms', typeof r === 'object' ? JSON.stringify(r).slice(0, 80) : r); };
await time('itemRebounds prov-air', () => itemRebounds(db, 'prov-air'));
await time('itemRebounds county-5', () => itemRebounds(db, 'county-5'));
await time('reboundsBetween prov-air', () => reboundsBetween(db, 'prov-air', 0, 1e12));
await time('reboundItemsOf 50', () => reboundItemsOf(db, Array.from({ length: 50 }, (_, k) => `id-${N - 1 - k}`)).then((m) => m.size));
const staff = { id: 's', role: 'admin' as const, unit: null };
await time('queue rebound page', () => queue(db, staff, { rebound: true }, new Date(), {}).then((p) => [p.rows.length, p.total]));
await time('queue rebound page, region', () => queue(db, staff, { rebound: true, region: ['k3', 'k4'] }, new Date(), {}).then((p) => [p.rows.length, p.total]));
await c.execute(`INSERT INTO complaint_items (complaint_id, item_id, linked_at, linked_by) SELECT id, 'county-7', created_at, 's' FROM complaints WHERE published_at IS NOT NULL AND region = 'k7' LIMIT 40`);
await time('itemComplaintCounts', () => itemComplaintCounts(db, 'county-7'));
await time('listPublished item', () => listPublished(db, { item: 'county-7' }, {}, 50).then((p) => [p.rows.length, p.total]));
await time('listPublished item (no links)', () => listPublished(db, { item: 'county-8' }, {}, 50).then((p) => [p.rows.length, p.total]));
for (const q of [
  `SELECT count(*) FROM complaint_rebounds r JOIN complaints c ON c.id = r.complaint_id WHERE r.item_id = 'prov-air' AND c.state IN ('submitted','accepted')`,
  `SELECT DISTINCT item_id FROM rebound_watch WHERE region = 'k3' AND pollution_type IN (SELECT value FROM json_each('["大气"]')) AND watch_from <= '2026'`,
]) console.log((await c.execute(`EXPLAIN QUERY PLAN ${q}`)).rows.map((r) => r.detail).join(' | '));
const cnt = await c.execute('select (select count(*) from rebound_watch) w, (select count(*) from complaint_rebounds) r, (select count(*) from complaints where rebound = 1) f');
console.log(cnt.rows[0]);
const size = await c.execute('select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()');
console.log(`database: ${Math.round(Number(size.rows[0]!.bytes) / 1e6)} MB`);
