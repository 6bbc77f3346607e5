/**
 * Fills a migrated portal database with N synthetic complaints (合成数据) for the benchmarks, in
 * bulk SQL (INSERT … SELECT over a recursive counter, 50,000 rows a statement): 1,000,000 in a
 * few minutes, without building rows in JavaScript. Never run on a real database: every row is
 * labelled (description starts with 合成数据, idempotency key `synthetic-<n>`, client hash
 * `synthetic`), and the command refuses a database that holds complaints already.
 *
 * The rows spread over the three years before `now`, oldest first, with a realistic mix: most
 * closed (some late), some refused or merged, the rest open at every step (the older of them
 * overdue), about a third published. Reference numbers are per year of receipt (China time) and
 * the year counters are set past them, so intake afterwards continues the sequence.
 *
 * The stored clocks (`due_by`, `close_by`) are written with the rules of `clocks`; the benchmark
 * checks a sample of rows against `clockColumns` (bench/complaints/run.ts).
 *
 *   npx tsx bench/complaints/prefill.ts FILE N   (FILE migrated first, e.g. by scripts/db-migrate.ts)
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { parse } from 'yaml';
import { openLocalDatabase } from '../../functions/local.ts';
import { POLLUTION_TYPES } from '../../src/domain/complaint.ts';
import { ACCEPT_WITHIN_DAYS, CLOSE_WITHIN_DAYS, VERDICTS } from '../../src/domain/complaint-handling.ts';
import { concludedStates } from '../../src/domain/complaint-states.ts';

const DAY = 86_400;
const SPAN_DAYS = 3 * 365;
const CHUNK = 50_000;

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const list = (values: readonly string[]) => values.map(quote).join(', ');
/** The k-th value taken from position i of a list in SQL (CASE is faster than a joined table here). */
const pick = (values: readonly string[], i: string) => `CASE ${i} ${values.map((v, k) => `WHEN ${k} THEN ${quote(v)}`).join(' ')} END`;

export async function prefillComplaints(file: string, n: number, now = new Date()): Promise<{ seconds: number }> {
  const started = performance.now();
  const regions = (parse(readFileSync('content/regions.yaml', 'utf8')) as { id: string; level: string }[]).filter((r) => r.level !== 'national').map((r) => r.id);
  const units = (parse(readFileSync('content/units.yaml', 'utf8')) as { id: string }[]).map((u) => u.id);
  const client = createClient({ url: `file:${file}` });
  try {
    const existing = Number((await client.execute('SELECT count(*) AS n FROM complaints')).rows[0]!.n);
    if (existing > 0) throw new Error(`${file} holds ${existing} complaints already: prefill only an empty benchmark database`);
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA cache_size = -262144');
    const end = Math.floor(now.getTime() / 1000);
    const start = end - SPAN_DAYS * DAY;
    const step = (SPAN_DAYS * DAY) / n;
    // First n of each year of receipt in China time (UTC+8): the reference's serial starts there.
    await client.execute('CREATE TEMP TABLE years (y TEXT PRIMARY KEY, first_n INTEGER NOT NULL)');
    for (let y = new Date((start + 8 * 3600) * 1000).getUTCFullYear(); y <= new Date((end + 8 * 3600) * 1000).getUTCFullYear(); y++) {
      const yearStart = Date.UTC(y, 0, 1) / 1000 - 8 * 3600;
      await client.execute({ sql: 'INSERT INTO years VALUES (?, ?)', args: [String(y), Math.max(0, Math.ceil((yearStart - start) / step))] });
    }
    const iso = (expr: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${expr}, 'unixepoch')`;
    for (let from = 0; from < n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK);
      // h(k): a fixed pseudo-random number per row and purpose, so that runs are reproducible.
      const h = (k: number, mod: number) => `((i * ${2_654_435_761 + k * 40_503} + ${k * 97}) % 1000003 % ${mod})`;
      await client.execute(`
        INSERT INTO complaints (id, reference, tracking_code, idempotency_key, version, state, pollution_types, region, address, observed_at,
          description, anonymous, consent_publish, client_hash, created_at, updated_at, accepted_at, assigned_unit, verdict,
          extended_days, extension_reason, closed_at, publication, published_at, close_by, due_by)
        WITH RECURSIVE counter(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM counter WHERE i + 1 < ${to}),
        base AS (
          SELECT i, ${start} + CAST(i * ${step} AS INTEGER) AS t, ${h(1, 100)} AS b, ${h(2, 14)} AS acc, ${h(3, 90)} AS took, ${h(4, 20)} AS ext
          FROM counter
        ),
        timed AS (
          SELECT *, (${end} - t) / ${DAY} AS age,
            t + (1 + acc) * ${DAY} AS accepted, t + (1 + acc + 5 + took) * ${DAY} AS closed
          FROM base
        ),
        staged AS (
          SELECT *, CASE
            WHEN b < 4 THEN 'rejected'
            WHEN b < 7 THEN 'duplicate'
            WHEN accepted > ${end} THEN 'submitted'
            WHEN b < 9 THEN 'accepted'
            WHEN b < 11 THEN 'assigned'
            WHEN closed > ${end} OR b < 14 THEN 'in-progress'
            WHEN b < 16 THEN 'partially-closed'
            WHEN b < 17 THEN 'disputed'
            ELSE 'closed' END AS state,
            CASE WHEN ext = 0 THEN 10 + (took % 21) END AS extended
          FROM timed
        ),
        rows AS (
          SELECT *,
            state IN ('accepted', 'assigned', 'in-progress', 'partially-closed', 'closed', 'disputed') AS is_accepted,
            state IN ('partially-closed', 'closed', 'disputed') AS has_result,
            ${h(7, 2)} = 0 AS consent
          FROM staged
        )
        SELECT
          lower(hex(randomblob(16))),
          printf('%s-%06d', strftime('%Y', t + 28800, 'unixepoch'), i - (SELECT first_n FROM years WHERE y = strftime('%Y', t + 28800, 'unixepoch')) + 1),
          'S' || upper(hex(randomblob(6))),
          'synthetic-' || i,
          0,
          state,
          CASE WHEN b % 3 = 0 THEN json_array(${pick(POLLUTION_TYPES, h(5, POLLUTION_TYPES.length))}, '水') ELSE json_array(${pick(POLLUTION_TYPES, h(5, POLLUTION_TYPES.length))}) END,
          ${pick(regions, h(6, regions.length))},
          '合成数据：某工业园区第' || i || '号厂房',
          strftime('%Y-%m-%d', t - ${DAY}, 'unixepoch'),
          '合成数据（基准测试用）：第' || i || '条，夜间工厂烟囱冒黑烟，气味刺鼻。',
          b % 2, consent, 'synthetic',
          ${iso('t')}, ${iso('t')},
          CASE WHEN is_accepted THEN ${iso('accepted')} END,
          CASE WHEN is_accepted AND state <> 'accepted' THEN ${pick(units, h(8, units.length))} END,
          CASE WHEN has_result THEN ${pick(VERDICTS, h(9, VERDICTS.length))} END,
          CASE WHEN is_accepted THEN extended END,
          CASE WHEN is_accepted AND extended IS NOT NULL THEN '合成数据：案情复杂，需延期' END,
          CASE WHEN has_result THEN ${iso('closed')} WHEN state IN ('rejected', 'duplicate') THEN ${iso(`t + 3 * ${DAY}`)} END,
          CASE WHEN has_result AND consent THEN json_object('summary', '合成数据：反映工厂冒黑烟（第' || i || '条）', 'investigation', '经现场核查，情况基本属实。', 'result', '已责令整改。') END,
          CASE WHEN has_result AND consent AND b % 10 < 7 AND closed + ${DAY} <= ${end} THEN ${iso(`closed + ${DAY}`)} END,
          CASE WHEN is_accepted THEN ${iso(`accepted + (${CLOSE_WITHIN_DAYS} + coalesce(extended, 0)) * ${DAY}`)} END,
          CASE
            WHEN state = 'submitted' THEN ${iso(`t + ${ACCEPT_WITHIN_DAYS} * ${DAY}`)}
            WHEN state IN ('accepted', 'assigned', 'in-progress', 'partially-closed', 'disputed') THEN ${iso(`accepted + (${CLOSE_WITHIN_DAYS} + coalesce(extended, 0)) * ${DAY}`)}
          END
        FROM rows
      `);
      process.stdout.write(`\r合成投诉 ${to.toLocaleString('en')} / ${n.toLocaleString('en')}`);
    }
    process.stdout.write('\n');
    await linkSyntheticItems(client);
    // The per-unit counts the service keeps with each step (unitTally), for the rows just written.
    await client.execute(`INSERT INTO complaint_unit_counts (unit, assigned, concluded, on_time)
      SELECT assigned_unit, count(*), sum(state IN (${list(concludedStates())}) AND closed_at IS NOT NULL),
        sum(state IN (${list(concludedStates())}) AND closed_at IS NOT NULL AND close_by IS NOT NULL AND closed_at <= close_by)
      FROM complaints WHERE assigned_unit IS NOT NULL GROUP BY assigned_unit`);
    // Intake continues each year's sequence after the synthetic numbers.
    await client.execute(`INSERT INTO sequences (name, value)
      SELECT 'complaint:' || substr(reference, 1, 4), max(CAST(substr(reference, 6) AS INTEGER)) FROM complaints GROUP BY substr(reference, 1, 4) HAVING true
      ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`);
    await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    client.close();
  }
  return { seconds: (performance.now() - started) / 1000 };
}

/** Synthetic rectification items complaints are linked to (never ids of content/items). */
export const SYNTHETIC_ITEMS = 500;

/**
 * Links every tenth complaint to one of SYNTHETIC_ITEMS synthetic items (`synthetic-item-<k>`),
 * as staff link complaints to the items they concern: 100,000 links at 1,000,000 complaints, about
 * 200 per item. Done once; a database filled before links existed gets them on its next run.
 */
export async function linkSyntheticItems(client: ReturnType<typeof createClient>): Promise<void> {
  if (Number((await client.execute('SELECT count(*) AS n FROM complaint_items')).rows[0]!.n) > 0) return;
  await client.execute(`INSERT INTO complaint_items (complaint_id, item_id, linked_at, linked_by)
    SELECT id, 'synthetic-item-' || (rowid / 10 % ${SYNTHETIC_ITEMS}), created_at, 'synthetic' FROM complaints WHERE rowid % 10 = 0`);
}

/** A database of `size` synthetic complaints, made once (migrated, then filled) and reused by later runs. */
export async function syntheticDatabase(size: number, now: Date): Promise<string> {
  const file = join('.scratch', 'complaints', `synthetic-${size}.db`);
  if (existsSync(file)) return file;
  const partial = `${file}.partial`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
  (await openLocalDatabase(`file:${partial}`)).$client.close();
  const { seconds } = await prefillComplaints(partial, size, now);
  console.log(`合成数据：${size} 件投诉写入 ${partial}，${seconds.toFixed(1)} s`);
  renameSync(partial, file);
  // The WAL was checkpointed and emptied: its leftover files belong to the old name.
  for (const suffix of ['-wal', '-shm']) rmSync(partial + suffix, { force: true });
  return file;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, count] = process.argv.slice(2);
  if (!file || !count) throw new Error('usage: tsx bench/complaints/prefill.ts FILE N');
  const { seconds } = await prefillComplaints(file, Number(count));
  console.log(`${count} synthetic complaints in ${seconds.toFixed(1)} s`);
}
