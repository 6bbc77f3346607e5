/**
 * The rebound watch in the database (the rule: src/domain/rebound.ts). Items are content, so their
 * facts reach the runtime the way search documents and feed changes do: the index run writes them
 * (`syncReboundWatch`, one row per watched item, region and pollution type in `rebound_watch`). Every
 * question is then an indexed lookup, never a load of all items or complaints:
 *
 * - a new complaint finds its items by (region, pollution type) in the same batch as it is stored
 *   (`reboundStatements`), and is flagged (`complaints.rebound`, a partial index for the queue);
 * - an item whose facts changed (newly done, another date, other regions or topics) has its
 *   complaints found again at the index run, region by region through complaints_region_idx;
 * - an item's count is a range of complaint_rebounds by item; a digest counts the rows after its
 *   cursor (rows are kept while the rule holds, so a complaint is told once).
 */
import { sql, type SQL } from 'drizzle-orm';
import { chinaDayStart, reboundCountedStates, watchRows, type Watch } from '../src/domain/rebound.ts';
import type { Database } from './db.ts';
import { INITIAL_STATE } from '../src/domain/complaint-states.ts';
import { COUNT_CAP } from './complaint-service.ts';

/** Items rewritten per transaction at the index run. */
const CHUNK = 100;

export interface WatchSync {
  /** Items whose watch was written, changed or removed. */
  changed: number;
  /** Possible rebounds found for them, and ones that no longer hold. */
  flagged: number;
  cleared: number;
}

/** The matching condition, over rebound_watch `w` and complaints `c` (the pollution types are a JSON array of fixed words: found as quoted text). */
const MATCH = `c.region = w.region AND c.created_at >= w.watch_from AND instr(c.pollution_types, json_quote(w.pollution_type)) > 0`;

/**
 * Makes rebound_watch hold exactly `watches` (every watched item of the content), rewriting only the
 * items whose facts changed, and finds again the possible rebounds of those items. Rows of
 * unchanged items, and the rebounds already found for them, stay (their seq, and so the digests'
 * cursors, are not disturbed).
 */
export async function syncReboundWatch(db: Database, watches: readonly Watch[]): Promise<WatchSync> {
  const client = db.$client;
  const signature = (rows: { region: string; pollutionType: string; from: string }[]) =>
    rows.map((r) => `${r.region}|${r.pollutionType}|${r.from}`).sort().join(',');
  const wanted = new Map(watches.map((w) => [w.itemId, watchRows(w)]));
  const stored = new Map<string, string>();
  const { rows } = await client.execute('SELECT item_id, region, pollution_type, watch_from FROM rebound_watch ORDER BY item_id');
  const byItem = new Map<string, { region: string; pollutionType: string; from: string }[]>();
  // At the index run, beside the whole content in memory: one row per item, region and type (≈2,300 for 2,000 items in bench:rebound).
  for (const r of rows) {
    const id = String(r.item_id);
    let list = byItem.get(id);
    if (!list) byItem.set(id, (list = []));
    list.push({ region: String(r.region), pollutionType: String(r.pollution_type), from: String(r.watch_from) });
  }
  for (const [id, list] of byItem) stored.set(id, signature(list));
  const changed = [...new Set([...wanted.keys(), ...stored.keys()])].filter((id) => stored.get(id) !== (wanted.has(id) ? signature(wanted.get(id)!) : undefined)).sort();
  const report: WatchSync = { changed: changed.length, flagged: 0, cleared: 0 };
  for (let i = 0; i < changed.length; i += CHUNK) {
    const ids = JSON.stringify(changed.slice(i, i + CHUNK));
    const fresh = JSON.stringify(changed.slice(i, i + CHUNK).flatMap((id) => wanted.get(id) ?? []));
    const inChunk = `(SELECT value FROM json_each(?))`;
    const results = await client.batch(
      [
        { sql: `DELETE FROM rebound_watch WHERE item_id IN ${inChunk}`, args: [ids] },
        {
          sql: `INSERT INTO rebound_watch (region, pollution_type, item_id, watch_from)
                SELECT value ->> 'region', value ->> 'pollutionType', value ->> 'itemId', value ->> 'from' FROM json_each(?)`,
          args: [fresh],
        },
        // Rebounds that no longer hold (the item is no longer done, or done later, or elsewhere).
        {
          sql: `DELETE FROM complaint_rebounds AS r WHERE r.item_id IN ${inChunk} AND NOT EXISTS (
                  SELECT 1 FROM complaints c JOIN rebound_watch w ON w.item_id = r.item_id AND ${MATCH} WHERE c.id = r.complaint_id)`,
          args: [ids],
        },
        // Complaints already received that the changed items now match: each watch row is one range of complaints_region_idx.
        {
          sql: `INSERT OR IGNORE INTO complaint_rebounds (item_id, complaint_id)
                SELECT DISTINCT w.item_id, c.id FROM rebound_watch w JOIN complaints c INDEXED BY complaints_region_idx ON ${MATCH}
                WHERE w.item_id IN ${inChunk}`,
          args: [ids],
        },
        {
          sql: `UPDATE complaints SET rebound = 1 WHERE rebound = 0 AND id IN (SELECT complaint_id FROM complaint_rebounds WHERE item_id IN ${inChunk})`,
          args: [ids],
        },
      ],
      'write',
    );
    report.cleared += results[2]!.rowsAffected;
    report.flagged += results[3]!.rowsAffected;
  }
  if (report.cleared) {
    // Flags whose last rebound went: read through the flag's partial index.
    await client.execute('UPDATE complaints SET rebound = 0 WHERE rebound = 1 AND NOT EXISTS (SELECT 1 FROM complaint_rebounds r WHERE r.complaint_id = complaints.id)');
  }
  return report;
}

/**
 * The statements that flag a complaint being stored (in its own batch, after its insert): the
 * watched items its region and pollution types match, as of its receipt.
 */
export function reboundStatements(complaint: { id: string; region: string; pollutionTypes: readonly string[]; createdAt: string }): SQL[] {
  const { id, region, createdAt } = complaint;
  return [
    sql`INSERT OR IGNORE INTO complaint_rebounds (item_id, complaint_id)
        SELECT DISTINCT item_id, ${id} FROM rebound_watch
        WHERE region = ${region} AND pollution_type IN (SELECT value FROM json_each(${JSON.stringify(complaint.pollutionTypes)})) AND watch_from <= ${createdAt}`,
    sql`UPDATE complaints SET rebound = 1 WHERE id = ${id} AND EXISTS (SELECT 1 FROM complaint_rebounds WHERE complaint_id = ${id})`,
  ];
}

/** The watched items each complaint is a possible rebound of (the staff queue's page, a complaint's detail). */
export async function reboundItemsOf(db: Database, complaintIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!complaintIds.length) return out;
  const rows = await db.all<{ complaint_id: string; item_id: string }>(
    sql`SELECT complaint_id, item_id FROM complaint_rebounds WHERE complaint_id IN (SELECT value FROM json_each(${JSON.stringify(complaintIds)})) ORDER BY item_id`,
  );
  for (const r of rows) out.set(r.complaint_id, [...(out.get(r.complaint_id) ?? []), r.item_id]);
  return out;
}

const counted = () => sql.join(reboundCountedStates().map((s) => sql`${s}`), sql`, `);

/**
 * An item's watch as the public sees it: from which day complaints count, and how many there are
 * (received, not refused nor merged), counted exactly up to COUNT_CAP like the lists (a
 * province-wide item may match tens of thousands: `capped` then, and the page says “超过”).
 */
export async function itemRebounds(db: Database, itemId: string): Promise<{ fromDay: string; count: number; capped: boolean } | undefined> {
  const [watch] = await db.all<{ watch_from: string | null }>(sql`SELECT min(watch_from) AS watch_from FROM rebound_watch WHERE item_id = ${itemId}`);
  if (!watch?.watch_from) return undefined;
  const [row] = await db.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM (SELECT 1 FROM complaint_rebounds r JOIN complaints c ON c.id = r.complaint_id WHERE r.item_id = ${itemId} AND c.state IN (${counted()}) LIMIT ${COUNT_CAP + 1})`,
  );
  const n = Number(row?.n ?? 0);
  // The instant a China day begins is 16:00 UTC the day before: the day is the next UTC date.
  const fromDay = new Date(Date.parse(watch.watch_from) + 8 * 3600_000).toISOString().slice(0, 10);
  if (chinaDayStart(fromDay) !== watch.watch_from) throw new Error(`rebound_watch.watch_from of ${itemId} is not the start of a day in China`);
  return { fromDay, count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

/** The newest possible rebound's seq (a digest's cursor moves up to it). */
export async function latestReboundSeq(db: Database): Promise<number> {
  const [row] = await db.all<{ top: number | null }>(sql`SELECT max(seq) AS top FROM complaint_rebounds`);
  return Number(row?.top ?? 0);
}

/**
 * An item's possible rebounds to tell its followers about since `after` (a digest's cursor), up to
 * `upTo`: those counted (accepted by staff), and the cursor to move to. A complaint still awaiting
 * screening holds the cursor just before it, so that once accepted it is told in a later digest
 * (and once refused, never); the rows after it wait with it. Counted up to COUNT_CAP + 1.
 */
export async function reboundsSince(db: Database, itemId: string, after: number, upTo: number): Promise<{ count: number; cursor: number }> {
  const [pending] = await db.all<{ seq: number | null }>(
    sql`SELECT min(r.seq) AS seq FROM complaint_rebounds r JOIN complaints c ON c.id = r.complaint_id
        WHERE r.item_id = ${itemId} AND r.seq > ${after} AND r.seq <= ${upTo} AND c.state = ${INITIAL_STATE}`,
  );
  const cursor = pending?.seq === null || pending?.seq === undefined ? upTo : Number(pending.seq) - 1;
  return { count: cursor > after ? await reboundsBetween(db, itemId, after, cursor) : 0, cursor };
}

/** Possible rebounds of an item flagged after `after` and up to `upTo` (seq), counted as the item page counts them (up to COUNT_CAP + 1: “more than”). */
export async function reboundsBetween(db: Database, itemId: string, after: number, upTo: number): Promise<number> {
  const [row] = await db.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM (SELECT 1 FROM complaint_rebounds r JOIN complaints c ON c.id = r.complaint_id
        WHERE r.item_id = ${itemId} AND r.seq > ${after} AND r.seq <= ${upTo} AND c.state IN (${counted()}) LIMIT ${COUNT_CAP + 1})`,
  );
  return Number(row?.n ?? 0);
}
