/**
 * The complaint lists at scale: the staff queue (`queue`), the public list (`listPublished`) and
 * the units' on-time rates (`unitRates`) of functions/complaint-service.ts, timed on a database
 * of N synthetic complaints (bench/complaints/prefill.ts; 合成数据, made once under
 * .scratch/complaints/ and reused). Each case runs `--runs` times after a warm-up; p50/p95 are
 * printed and written to .scratch/bench/complaints.json (bench/report.ts) with the target
 * p95 ≤ 100 ms. Cases: every filter alone (state, unit, region with its sub-regions, reference
 * number, overdue, a handler's own unit; pollution type, verdict, unit and region on the public
 * list), some combinations, and deep pages (keyset cursors far down the list).
 *
 * `--baseline` also times the code before keyset paging on the same rows (first 200 by OFFSET-less
 * LIMIT, the overdue filter reading 5,000 rows, the rates reading every assigned complaint, the
 * public list counting everything and paging by OFFSET), for comparison. `--verify` checks that
 * the stored deadlines of a sample of rows are `clockColumns` of their facts and that `unitRates`
 * equals `onTimeByUnit` over every complaint's clocks (reads all rows: slow, ~1 GB).
 *
 *   npm run bench:complaints -- [--size 1000000] [--runs 40] [--baseline] [--verify]
 */
import { parseArgs } from 'node:util';
import { desc, isNotNull, sql } from 'drizzle-orm';
import { complaints } from '../../db/schema.ts';
import { listPublished, queue, unitRates, type PageKey, type Staff } from '../../functions/complaint-service.ts';
import { openLocalDatabase } from '../../functions/local.ts';
import { clockColumns, clocks, onTimeByUnit } from '../../src/domain/complaint-handling.ts';
import { isConcluded, type ComplaintState } from '../../src/domain/complaint-states.ts';
import { figure, machine, timeRuns, writeReport, type Figure } from '../report.ts';
import { linkSyntheticItems, syntheticDatabase } from './prefill.ts';
import { createClient } from '@libsql/client';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '3' },
    baseline: { type: 'boolean', default: false },
    verify: { type: 'boolean', default: false },
  },
});
const SIZE = Number(args.size);
const RUNS = Number(args.runs);
const TARGET_MS = 100;

const time = (run: () => Promise<unknown>, runs = RUNS, warmup = Number(args.warmup)) => timeRuns(run, runs, warmup);

async function main() {
  const now = new Date();
  console.log(`machine: ${JSON.stringify(machine())}`);
  const file = await syntheticDatabase(SIZE, now);
  const linker = createClient({ url: `file:${file}` });
  await linkSyntheticItems(linker);
  linker.close();
  const db = await openLocalDatabase(`file:${file}`);
  const count = Number((await db.all<{ n: number }>(sql`select count(*) as n from complaints`))[0]!.n);
  console.log(`${file}: ${count} complaints; ${RUNS} runs per case after ${args.warmup} warm-up; load ${machine().load.join(' ')}`);

  const admin: Staff = { id: 'bench-admin', role: 'admin', unit: null };
  const handler: Staff = { id: 'bench-handler', role: 'handler', unit: 'wuwei-ecology' };
  // A cursor half-way down each list: a deep page, which OFFSET paging would have to count up to.
  const middle = String((await db.all<{ reference: string }>(sql`select reference from complaints order by created_at desc, reference desc limit 1 offset ${Math.floor(count / 2)}`))[0]?.reference);
  const middlePublished = String(
    (await db.all<{ reference: string }>(sql`select reference from complaints where published_at is not null and consent_publish = 1 order by created_at desc, reference desc limit 1 offset ${Math.floor(count / 6)}`))[0]?.reference,
  );
  const gansu = ['gansu', 'gansu-lanzhou', 'gansu-lanzhou-xinqu', 'gansu-jiayuguan', 'gansu-jinchang', 'gansu-baiyin', 'gansu-tianshui', 'gansu-wuwei', 'gansu-zhangye', 'gansu-pingliang', 'gansu-jiuquan', 'gansu-qingyang', 'gansu-dingxi', 'gansu-longnan', 'gansu-linxia', 'gansu-gannan', 'gansu-wuwei-liangzhou', 'gansu-wuwei-minqin', 'gansu-wuwei-gulang', 'gansu-wuwei-tianzhu'];
  const wuwei = ['gansu-wuwei', 'gansu-wuwei-liangzhou', 'gansu-wuwei-minqin', 'gansu-wuwei-gulang', 'gansu-wuwei-tianzhu'];
  const q = (filters: Parameters<typeof queue>[2], key: PageKey = {}, staff = admin) => () => queue(db, staff, filters, now, key);
  const l = (filters: Parameters<typeof listPublished>[1], key: PageKey = {}) => () => listPublished(db, filters, key);
  const cases: [string, () => Promise<unknown>][] = [
    ['queue.all', q({})],
    ['queue.deep-page', q({}, { after: middle })],
    ['queue.deep-page-back', q({}, { before: middle })],
    ['queue.state-submitted', q({ state: 'submitted' })],
    ['queue.state-closed', q({ state: 'closed' })],
    ['queue.unit', q({ unit: 'wuwei-housing' })],
    ['queue.region-province', q({ region: gansu })],
    ['queue.region-city', q({ region: wuwei })],
    ['queue.region-county', q({ region: ['gansu-wuwei-minqin'] })],
    ['queue.code', q({ code: middle })],
    ['queue.overdue', q({ overdue: true })],
    ['queue.overdue-deep-page', q({ overdue: true }, { after: middle })],
    ['queue.handler', q({}, {}, handler)],
    ['queue.handler-overdue', q({ overdue: true }, {}, handler)],
    ['queue.state-region', q({ state: 'in-progress', region: wuwei })],
    ['queue.unit-overdue-region', q({ unit: 'wuwei-housing', overdue: true, region: wuwei })],
    ['queue.rare-combination', q({ state: 'submitted', unit: 'wuwei-housing' })],
    ['rates', () => unitRates(db, now)],
    ['list.all', l({})],
    ['list.deep-page', l({}, { after: middlePublished })],
    ['list.region-province', l({ region: gansu })],
    ['list.region-city', l({ region: wuwei })],
    ['list.pollution-type', l({ pollutionType: '土壤' })],
    ['list.verdict', l({ verdict: '不属实' })],
    ['list.unit', l({ unit: 'wuwei-ecology' })],
    ['list.type-region-verdict', l({ pollutionType: '辐射', region: wuwei, verdict: '部分属实' })],
    ['list.item', l({ item: 'synthetic-item-7' })],
    ['list.item-region', l({ item: 'synthetic-item-7', region: gansu })],
    ['list.item-none', l({ item: 'synthetic-item-none' })],
  ];

  const figures: Figure[] = [figure(`${SIZE}.rows`, count, 'complaints')];
  const print = (name: string, t: { p50: number; p95: number; max: number }, target = true) =>
    console.log(`${name.padEnd(34)} p50 ${t.p50.toFixed(1).padStart(7)} ms  p95 ${t.p95.toFixed(1).padStart(7)} ms  max ${t.max.toFixed(1).padStart(7)} ms${target ? (t.p95 <= TARGET_MS ? '' : '  MISS') : ''}`);
  for (const [name, run] of cases) {
    const t = await time(run);
    print(name, t);
    figures.push(figure(`${SIZE}.${name}.p95_ms`, round(t.p95), 'ms', { value: TARGET_MS, comparison: '<=' }), figure(`${SIZE}.${name}.p50_ms`, round(t.p50), 'ms'));
  }

  if (args.baseline) {
    // The code before this change, on the same rows (read only; no target).
    const factsOf = (r: typeof complaints.$inferSelect) => ({ state: r.state as ComplaintState, submittedAt: r.createdAt, acceptedAt: r.acceptedAt, extendedDays: r.extendedDays });
    const before: [string, () => Promise<unknown>][] = [
      ['baseline.queue.all', async () => (await db.select().from(complaints).orderBy(desc(complaints.createdAt)).limit(200)).map((r) => clocks(factsOf(r), now.toISOString()))],
      ['baseline.queue.overdue', async () => (await db.select().from(complaints).orderBy(desc(complaints.createdAt)).limit(5000)).map((r) => clocks(factsOf(r), now.toISOString())).filter((c) => c.overdue).slice(0, 200)],
      ['baseline.rates', () => referenceRates(db, now)],
      ['baseline.list.all', async () => {
        const where = sql`published_at is not null and consent_publish = 1`;
        await db.all(sql`select count(*) from complaints where ${where}`);
        return db.select().from(complaints).where(where).orderBy(desc(complaints.createdAt), desc(complaints.reference)).limit(50);
      }],
      ['baseline.list.page-1000', () => db.select().from(complaints).where(sql`published_at is not null and consent_publish = 1`).orderBy(desc(complaints.createdAt), desc(complaints.reference)).limit(50).offset(50 * 999)],
    ];
    // Fewer runs: the old rates read every assigned complaint each time.
    for (const [name, run] of before) {
      const t = await time(run, 10, 1);
      print(name, t, false);
      figures.push(figure(`${SIZE}.${name}.p95_ms`, round(t.p95), 'ms'));
    }
  }

  if (args.verify) {
    // The stored deadlines are the domain's (a sample), and the rates from counts equal onTimeByUnit over every complaint.
    const sample = await db.select().from(complaints).where(sql`rowid % 997 = 0`);
    const wrong = sample.filter((r) => {
      const c = clockColumns({ state: r.state as ComplaintState, submittedAt: r.createdAt, acceptedAt: r.acceptedAt, extendedDays: r.extendedDays });
      return c.dueBy !== r.dueBy || c.closeBy !== r.closeBy;
    });
    const fromCounts = await unitRates(db, now);
    const reference = await referenceRates(db, now);
    const same = JSON.stringify([...fromCounts].sort()) === JSON.stringify([...reference].sort());
    console.log(`verify: ${sample.length - wrong.length}/${sample.length} sampled rows with the domain's deadlines; rates from counts ${same ? '=' : '≠'} onTimeByUnit over all rows`);
    figures.push(figure(`${SIZE}.verify.deadline_mismatches`, wrong.length, 'rows', { value: 0, comparison: '==' }), figure(`${SIZE}.verify.rates_equal`, same ? 1 : 0, 'bool', { value: 1, comparison: '==' }));
  }
  db.$client.close();
  console.log(`load average after: ${machine().load.join(' ')}`);
  console.log(`wrote ${writeReport('complaints', figures)}`);
  if (figures.some((f) => f.met === false)) process.exitCode = 1;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The rates as computed before: every assigned complaint's clocks in memory, then onTimeByUnit. */
async function referenceRates(db: Awaited<ReturnType<typeof openLocalDatabase>>, now: Date) {
  const rows = await db
    .select({ state: complaints.state, createdAt: complaints.createdAt, acceptedAt: complaints.acceptedAt, extendedDays: complaints.extendedDays, closedAt: complaints.closedAt, unit: complaints.assignedUnit })
    .from(complaints)
    .where(isNotNull(complaints.assignedUnit));
  return onTimeByUnit(
    rows.map((r) => {
      const c = clocks({ state: r.state as ComplaintState, submittedAt: r.createdAt, acceptedAt: r.acceptedAt, extendedDays: r.extendedDays }, now.toISOString());
      return { unit: r.unit, closedAt: isConcluded(r.state) ? r.closedAt : null, closeBy: c.closeBy, overdue: c.overdue };
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
