/**
 * The staff escalation view (逾期或久未更新, /staff/escalation/): rectification items overdue or
 * silent longest, by responsible unit, and complaints past or near their statutory deadlines, by
 * unit. Items are content: their facts are copied into `item_watch` by each index run
 * (`syncItemWatch`), so that the view — in Node and on Workers — reads index ranges of the
 * database, never the whole content: every list is keyset-paged along a partial index, every
 * count is one index range (capped at COUNT_CAP).
 */
import type { InStatement } from '@libsql/client';
import { sql, type SQL } from 'drizzle-orm';
import { itemWatch } from '../db/schema.ts';
import { addDays, todayInChina } from '../src/domain/dates.ts';
import { REMIND_BEFORE_DAYS } from '../src/domain/reminders.ts';
import type { ItemWatchFact } from '../src/site/item-watch.ts';
import { COUNT_CAP, type KeysetPage } from './complaint-service.ts';
import { toStatement, type Database } from './db.ts';
import { writeStatements } from '../src/search/index-store.ts';
import { digestOf } from '../src/text/digest.ts';

/** An item not done whose last disclosed status is older than this counts as silent (久未更新) in the counts. */
export const SILENT_AFTER_DAYS = 180;
/** The lists of the view: items overdue, items silent longest, complaints past or near their deadline. */
export const ESCALATION_LISTS = ['overdue', 'silent', 'complaints'] as const;
export type EscalationList = (typeof ESCALATION_LISTS)[number];
/** Rows of each list shown at once. */
export const ESCALATION_PAGE_SIZE = 50;
/** The unit filter's value for "none": items whose sources name no responsible unit, complaints not yet passed on. */
export const NO_UNIT = '-';

/** Rows per INSERT (10 columns each, well under SQLite's limit of bound parameters). */
const INSERT_CHUNK = 500;

/** Items whose stored digests are read per query while comparing (keyset on item_id). */
const DIGEST_PAGE = 20000;

/**
 * Brings the items' facts in line with the content's, by difference, in one write transaction
 * (the view never sees half of them): an item whose facts (all its rows) have the digest stored
 * on its rows is left alone; a changed item's rows are written again; items no longer in the
 * content are removed. Rows written before digests existed have none and are written once more.
 * Returns how many rows the content gives (written or kept).
 */
export async function syncItemWatch(db: Database, facts: readonly ItemWatchFact[], at: Date): Promise<number> {
  const syncedAt = at.toISOString();
  const byItem = new Map<string, ItemWatchFact[]>();
  for (const f of facts) {
    let rows = byItem.get(f.itemId);
    if (!rows) byItem.set(f.itemId, (rows = []));
    rows.push(f);
  }
  // item id → the digest on its rows ('' where any row has none).
  const stored = new Map<string, string>();
  for (let after = ''; ; ) {
    const { rows } = await db.$client.execute({
      sql: `SELECT item_id, CASE WHEN count(digest) = count(*) AND min(digest) = max(digest) THEN min(digest) ELSE '' END AS digest
FROM item_watch WHERE item_id > ? GROUP BY item_id ORDER BY item_id LIMIT ?`,
      args: [after, DIGEST_PAGE],
    });
    for (const r of rows) stored.set(String(r.item_id), String(r.digest));
    if (rows.length < DIGEST_PAGE) break;
    after = String(rows.at(-1)!.item_id);
  }
  const gone = [...stored.keys()].filter((id) => !byItem.has(id));
  const changed: ItemWatchFact[] = [];
  const rewrite: string[] = [...gone];
  for (const [id, rows] of byItem) {
    const digest = digestOf(JSON.stringify(rows));
    if (stored.get(id) === digest) continue;
    if (stored.has(id)) rewrite.push(id);
    for (const f of rows) changed.push({ ...f, digest } as ItemWatchFact & { digest: string });
  }
  const statements: InStatement[] = [];
  for (let i = 0; i < rewrite.length; i += INSERT_CHUNK) {
    statements.push({ sql: 'DELETE FROM item_watch WHERE item_id IN (SELECT value FROM json_each(?))', args: [JSON.stringify(rewrite.slice(i, i + INSERT_CHUNK))] });
  }
  for (let i = 0; i < changed.length; i += INSERT_CHUNK) {
    statements.push(toStatement(db.insert(itemWatch).values(changed.slice(i, i + INSERT_CHUNK).map((f) => ({ ...f, syncedAt })))));
  }
  // On a local file as scripts: the driver would keep a batch's bound arguments (≈ 110,000 rows at 50,000 items) until the process ends.
  await writeStatements(db.$client, statements);
  return facts.length;
}

/** Who is looking: staff scoped to a unit (handlers) see that unit only, whatever they ask for. */
export interface EscalationScope {
  /** A unit id, NO_UNIT, or undefined for every unit. */
  unit: string | undefined;
}

/** Today in China and the instants the complaint lists compare with. */
function times(now: Date) {
  const today = todayInChina(now);
  return { today, silentBefore: addDays(today, -SILENT_AFTER_DAYS), nowIso: now.toISOString(), nearIso: new Date(now.getTime() + REMIND_BEFORE_DAYS * 86_400_000).toISOString() };
}

export interface UnitEscalation {
  /** Unit id, or NO_UNIT. */
  unit: string;
  overdueItems: number;
  silentItems: number;
  overdueComplaints: number;
  nearComplaints: number;
}

const num = (v: unknown) => Number(v ?? 0);

/** The unit filter as stored: '' for items naming no unit. */
const itemUnitOf = (unit: string) => (unit === NO_UNIT ? '' : unit);

/**
 * Per unit: items overdue, items silent for SILENT_AFTER_DAYS, complaints overdue and due within
 * REMIND_BEFORE_DAYS; `units` are the units to count (the reference's, and NO_UNIT). Each figure is
 * a count over one range of a per-unit partial index (items not done by due date and by silence,
 * running clocks by unit or of triage), so the work is the rows counted, without sorting or
 * grouping them. Units with nothing to show are left out; the most pressing first.
 */
export async function escalationByUnit(db: Database, units: readonly string[], now: Date): Promise<UnitEscalation[]> {
  if (!units.length) return [];
  const t = times(now);
  const complaintsOf = (range: SQL) => sql`(select count(*) from complaints indexed by complaints_unit_due_idx where assigned_unit = u.value and due_by is not null and ${range})`;
  const triageOf = (range: SQL) => sql`(select count(*) from complaints indexed by complaints_triage_due_idx where due_by is not null and assigned_unit is null and ${range})`;
  const overdue = sql`due_by < ${t.nowIso}`;
  const near = sql`due_by >= ${t.nowIso} and due_by <= ${t.nearIso}`;
  const rows = await db.all<{ unit: string; overdueItems: number; silentItems: number; overdueComplaints: number; nearComplaints: number }>(sql`
    select u.value as unit,
      (select count(*) from item_watch indexed by item_watch_unit_due_idx where unit = (case when u.value = ${NO_UNIT} then '' else u.value end) and done = 0 and due is not null and due < ${t.today}) as overdueItems,
      (select count(*) from item_watch indexed by item_watch_unit_silent_idx where unit = (case when u.value = ${NO_UNIT} then '' else u.value end) and done = 0 and silent_since < ${t.silentBefore}) as silentItems,
      case when u.value = ${NO_UNIT} then ${triageOf(overdue)} else ${complaintsOf(overdue)} end as overdueComplaints,
      case when u.value = ${NO_UNIT} then ${triageOf(near)} else ${complaintsOf(near)} end as nearComplaints
    from json_each(${JSON.stringify(units)}) u`);
  const entries = rows
    .map((r) => ({ unit: r.unit, overdueItems: num(r.overdueItems), silentItems: num(r.silentItems), overdueComplaints: num(r.overdueComplaints), nearComplaints: num(r.nearComplaints) }))
    .filter((e) => e.overdueItems || e.silentItems || e.overdueComplaints || e.nearComplaints);
  const weight = (e: UnitEscalation) => e.overdueItems + e.overdueComplaints;
  return entries.sort((a, b) => weight(b) - weight(a) || b.silentItems - a.silentItems || b.nearComplaints - a.nearComplaints || a.unit.localeCompare(b.unit));
}

/** Where a page starts: after (or before) the row with this key (`sortKey~unit~id`). */
export interface ListKey {
  after?: string | undefined;
  before?: string | undefined;
}

const KEY = /^[0-9A-Za-z:._-]{1,40}~[0-9A-Za-z._-]{0,100}~[0-9A-Za-z._-]{1,100}$/;

/** Whether a page key from an address is one this view makes. */
export const isListKey = (key: string) => KEY.test(key);

/**
 * One page of a list ordered by three columns (sort key, unit, id) read along `index`, with its
 * capped count: the rows after (or before) a key are one range of the index, never an OFFSET.
 */
async function keyset<R extends Record<string, unknown>>(
  db: Database,
  q: { columns: SQL; from: SQL; where: SQL; order: [string, string, string]; keyOf: (r: R) => [string, string, string] },
  key: ListKey,
  limit: number,
): Promise<KeysetPage<R>> {
  const raw = key.after ?? key.before;
  const cursor = raw && isListKey(raw) ? (raw.split('~') as [string, string, string]) : undefined;
  const backwards = !!cursor && !key.after;
  const [a, b, c] = q.order.map((col) => sql.raw(col)) as [SQL, SQL, SQL];
  const page = cursor ? (backwards ? sql` and (${a}, ${b}, ${c}) < (${cursor[0]}, ${cursor[1]}, ${cursor[2]})` : sql` and (${a}, ${b}, ${c}) > (${cursor[0]}, ${cursor[1]}, ${cursor[2]})`) : sql``;
  const order = backwards ? sql`${a} desc, ${b} desc, ${c} desc` : sql`${a}, ${b}, ${c}`;
  const [rows, counted] = await Promise.all([
    db.all<R>(sql`select ${q.columns} from ${q.from} where ${q.where}${page} order by ${order} limit ${limit + 1}`),
    db.all<{ n: number }>(sql`select count(*) as n from (select 1 from ${q.from} where ${q.where} limit ${COUNT_CAP + 1})`),
  ]);
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  if (backwards) shown.reverse();
  const keyText = (r: R) => q.keyOf(r).join('~');
  const total = num(counted[0]?.n);
  return {
    rows: shown,
    total: Math.min(total, COUNT_CAP),
    capped: total > COUNT_CAP,
    prev: shown.length > 0 && (backwards ? more : !!cursor) ? keyText(shown[0]!) : undefined,
    next: shown.length > 0 && (backwards || more) ? keyText(shown.at(-1)!) : undefined,
  };
}

export interface WatchedItem {
  itemId: string;
  unit: string;
  name: string;
  title: string;
  due: string | null;
  status: string;
  statusDate: string | null;
  silentSince: string;
}

const ITEM_COLUMNS = sql`item_id as itemId, unit, name, title, due, status, status_date as statusDate, silent_since as silentSince`;

/** Items past their due date (current clock) and not done, most overdue first; per unit, or all units by unit. */
export function overdueItems(db: Database, scope: EscalationScope, now: Date, key: ListKey = {}, limit = ESCALATION_PAGE_SIZE): Promise<KeysetPage<WatchedItem>> {
  const { today } = times(now);
  const scoped = scope.unit !== undefined;
  return keyset<WatchedItem & Record<string, unknown>>(
    db,
    {
      columns: ITEM_COLUMNS,
      from: scoped ? sql`item_watch indexed by item_watch_unit_due_idx` : sql`item_watch indexed by item_watch_due_idx`,
      where: scoped
        ? sql`unit = ${itemUnitOf(scope.unit!)} and done = 0 and due is not null and due < ${today}`
        : sql`done = 0 and due is not null and due < ${today}`,
      order: ['due', 'unit', 'item_id'],
      keyOf: (r) => [r.due!, r.unit, r.itemId],
    },
    key,
    limit,
  );
}

/** Items not done, longest since their last disclosed status first; per unit, or all units. */
export function silentItems(db: Database, scope: EscalationScope, key: ListKey = {}, limit = ESCALATION_PAGE_SIZE): Promise<KeysetPage<WatchedItem>> {
  const scoped = scope.unit !== undefined;
  return keyset<WatchedItem & Record<string, unknown>>(
    db,
    {
      columns: ITEM_COLUMNS,
      from: scoped ? sql`item_watch indexed by item_watch_unit_silent_idx` : sql`item_watch indexed by item_watch_silent_idx`,
      where: scoped ? sql`unit = ${itemUnitOf(scope.unit!)} and done = 0` : sql`done = 0`,
      order: ['silent_since', 'unit', 'item_id'],
      keyOf: (r) => [r.silentSince, r.unit, r.itemId],
    },
    key,
    limit,
  );
}

export interface DueComplaint {
  id: string;
  reference: string;
  state: string;
  unit: string | null;
  dueBy: string;
  createdAt: string;
}

/**
 * Open complaints whose running clock ran out or runs out within REMIND_BEFORE_DAYS, the earliest
 * deadline first; those of one unit, those not yet passed on (NO_UNIT), or all. Only the
 * reference, state, unit and deadline: the detail is behind the complaint's own staff page.
 */
export function dueComplaints(db: Database, scope: EscalationScope, now: Date, key: ListKey = {}, limit = ESCALATION_PAGE_SIZE): Promise<KeysetPage<DueComplaint>> {
  const { nearIso } = times(now);
  const unit = scope.unit === undefined ? sql`` : scope.unit === NO_UNIT ? sql` and assigned_unit is null` : sql` and assigned_unit = ${scope.unit}`;
  return keyset<DueComplaint & Record<string, unknown>>(
    db,
    {
      columns: sql`id, reference, state, assigned_unit as unit, due_by as dueBy, created_at as createdAt, coalesce(assigned_unit, '') as unitKey`,
      // A unit's complaints are one range of complaints_unit_due_idx, triage's of complaints_triage_due_idx, all of complaints_due_idx.
      from: sql`complaints indexed by ${sql.raw(scope.unit === undefined ? 'complaints_due_idx' : scope.unit === NO_UNIT ? 'complaints_triage_due_idx' : 'complaints_unit_due_idx')}`,
      where: sql`due_by is not null and due_by <= ${nearIso}${unit}`,
      order: ['due_by', 'reference', 'id'],
      keyOf: (r) => [r.dueBy, r.reference, r.id],
    },
    key,
    limit,
  );
}
