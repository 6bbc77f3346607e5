/**
 * Staff escalation at scale: the reminder job's read (functions/reminders.ts) and the escalation
 * view's counts and lists (functions/escalation.ts), timed on N synthetic complaints
 * (bench/complaints/prefill.ts, 合成数据, made once under .scratch/complaints/ and reused) and M
 * synthetic items' facts (item_watch, 1–3 responsible units each among 1,000 made-up units and the
 * real ones). Prints each statement's query plan (no full scan of complaints or item_watch may
 * appear) and p50/p95, written to .scratch/bench/escalation.json with the target p95 ≤ 100 ms.
 *
 *   npx tsx bench/escalation/run.ts [--size 1000000] [--items 50000] [--runs 20]
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { dueComplaints, escalationByUnit, NO_UNIT, overdueItems, silentItems, syncItemWatch } from '../../functions/escalation.ts';
import { openLocalDatabase } from '../../functions/local.ts';
import { importContactKey, newKeyBase64 } from '../../functions/crypto.ts';
import { queueReminders } from '../../functions/reminders.ts';
import { loadContent } from '../../src/content/load.ts';
import { itemTitle } from '../../src/content/portal.ts';
import { referenceFrom } from '../../src/site/reference.ts';
import type { ItemWatchFact } from '../../src/site/item-watch.ts';
import { figure, machine, timeRuns, writeReport, type Figure } from '../report.ts';
import { syntheticDatabase } from '../complaints/prefill.ts';

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '1000000' }, items: { type: 'string', default: '50000' }, runs: { type: 'string', default: '20' } } });
const SIZE = Number(args.size);
const ITEMS = Number(args.items);
const RUNS = Number(args.runs);
const TARGET_MS = 100;

/** Synthetic items' facts: a fixed pseudo-random mix of due dates (2018–2028), done flags and silence. */
function syntheticFacts(n: number, realUnits: readonly string[]): ItemWatchFact[] {
  const units = [...realUnits, ...Array.from({ length: 1000 }, (_, k) => `synthetic-unit-${k}`)];
  const h = (i: number, k: number, mod: number) => ((i * (2_654_435_761 + k * 40_503) + k * 97) % 1_000_003) % mod;
  const day = (i: number, k: number, span: number, from: number) => new Date(Date.UTC(from, 0, 1) + h(i, k, span) * 86_400_000).toISOString().slice(0, 10);
  const out: ItemWatchFact[] = [];
  for (let i = 0; i < n; i++) {
    const statusDate = h(i, 4, 10) === 0 ? null : day(i, 5, 8 * 365, 2018);
    const base = {
      itemId: `synthetic-${i}`,
      name: `合成数据 整改方案 第${i}项`,
      title: `合成数据：第${i}项整改任务`,
      due: h(i, 1, 8) === 0 ? null : day(i, 2, 10 * 365, 2018),
      done: h(i, 3, 10) < 4,
      status: 'on-schedule',
      statusDate,
      silentSince: statusDate ?? '2018-01-01',
    };
    const count = 1 + h(i, 6, 3);
    for (let k = 0; k < count; k++) out.push({ ...base, unit: units[h(i, 7 + k, units.length)]! });
  }
  // One row per item and unit.
  return [...new Map(out.map((f) => [`${f.itemId}\u0000${f.unit}`, f])).values()];
}

async function main() {
  const now = new Date();
  console.log(`machine: ${JSON.stringify(machine())}`);
  const file = await syntheticDatabase(SIZE, now);
  const db = await openLocalDatabase(`file:${file}`);
  const reference = referenceFrom(loadContent().content, itemTitle);
  const facts = syntheticFacts(ITEMS, reference.units.map((u) => u.id));
  let t = performance.now();
  await syncItemWatch(db, facts, now);
  console.log(`item_watch: ${facts.length} rows (${ITEMS} items) written in ${Math.round(performance.now() - t)} ms`);
  const busiest = (await db.all<{ unit: string }>(sql`select assigned_unit as unit from complaints where due_by is not null and assigned_unit is not null group by assigned_unit order by count(*) desc limit 1`))[0]!.unit;
  const itemUnit = facts[0]!.unit;
  const contactKey = await importContactKey(newKeyBase64());
  const allUnits = [...reference.units.map((u) => u.id), ...Array.from({ length: 1000 }, (_, k) => `synthetic-unit-${k}`), NO_UNIT];
  // No account has an address in the benchmark database: the job reads and queues nothing (its read is what is timed).
  const deps = { db, contactKey, reference, mail: { siteUrl: 'https://portal.example.org' } };

  // A deep page: 20 pages into the overdue items of every unit.
  let key: string | undefined;
  for (let p = 0; p < 20; p++) key = (await overdueItems(db, { unit: undefined }, now, key ? { after: key } : {})).next;

  const cases: [string, () => Promise<unknown>][] = [
    ['reminder job read (window of 10 days)', () => queueReminders(deps, now)],
    ['counts by unit, every unit', () => escalationByUnit(db, allUnits, now)],
    ['counts by unit, one unit', () => escalationByUnit(db, [busiest], now)],
    ['overdue items, every unit, page 1', () => overdueItems(db, { unit: undefined }, now)],
    ['overdue items, every unit, page 21', () => overdueItems(db, { unit: undefined }, now, { after: key })],
    ['overdue items, one unit', () => overdueItems(db, { unit: itemUnit }, now)],
    ['silent items, every unit', () => silentItems(db, { unit: undefined })],
    ['silent items, one unit', () => silentItems(db, { unit: itemUnit })],
    ['complaints past or near deadline, every unit', () => dueComplaints(db, { unit: undefined }, now)],
    ['complaints past or near deadline, busiest unit', () => dueComplaints(db, { unit: busiest }, now)],
    ['complaints past or near deadline, not passed on', () => dueComplaints(db, { unit: NO_UNIT }, now)],
  ];
  const figures: Figure[] = [];
  for (const [name, run] of cases) {
    const r = await timeRuns(run, RUNS, 2);
    console.log(`${name}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms`);
    figures.push(figure(`${name} p95`, Math.round(r.p95 * 10) / 10, 'ms', { value: TARGET_MS, comparison: '<=' }));
  }
  const [{ overdue } = { overdue: 0 }] = await db.all<{ overdue: number }>(sql`select count(*) as overdue from complaints indexed by complaints_due_idx where due_by is not null and due_by < ${now.toISOString()}`);
  console.log(`complaints overdue now: ${overdue}; units with complaints: ${(await escalationByUnit(db, allUnits, now)).length} rows in the counts`);

  // The plans: every statement reads an index; none scans a table.
  const plans: [string, string][] = [
    ['reminders', `select c.id from complaints c indexed by complaints_due_idx where c.due_by is not null and c.due_by >= '2026-01-01' and c.due_by <= '2026-01-11' and not exists (select 1 from complaint_reminders r where r.complaint_id = c.id and r.due_at = c.due_by and r.kind = 'before') order by c.due_by limit 500`],
    ['item counts', `select count(*) from item_watch indexed by item_watch_unit_due_idx where unit = 'u' and done = 0 and due is not null and due < '2026-01-01'`],
    ['complaint counts', `select count(*) from complaints indexed by complaints_unit_due_idx where assigned_unit = 'u' and due_by is not null and due_by < '2026-01-01'`],
    ['triage counts', `select count(*) from complaints indexed by complaints_triage_due_idx where due_by is not null and assigned_unit is null and due_by < '2026-01-01'`],
    ['unit list', `select item_id from item_watch indexed by item_watch_unit_due_idx where unit = 'u' and done = 0 and due is not null and due < '2026-01-01' and (due, unit, item_id) > ('2020', 'u', 'x') order by due, unit, item_id limit 51`],
    ['unit complaints', `select id from complaints indexed by complaints_unit_due_idx where due_by is not null and due_by <= '2026' and assigned_unit = 'u' order by due_by, reference, id limit 51`],
  ];
  for (const [name, text] of plans) {
    const rows = await db.$client.execute(`explain query plan ${text}`);
    const detail = rows.rows.map((r) => String(r.detail)).join(' | ');
    console.log(`plan ${name}: ${detail}`);
    if (/SCAN (complaints|item_watch|c)\b(?! USING)/.test(detail)) throw new Error(`full scan in ${name}: ${detail}`);
  }
  t = performance.now();
  console.log(`report: ${writeReport('escalation', figures)} (${Math.round(performance.now() - t)} ms)`);
  db.$client.close();
}

await main();
