/**
 * Per-page downloads: the rows of the items a unit, region, plan or group page
 * lists, as CSV and JSON (the columns of /data/items.csv, written by the same
 * CSV writer), and each item as JSON.
 */
import type { Portal, PortalItem } from '../content/portal.ts';
import { itemRow, jsonBytes, rowsCsvBytes, TABLES } from './opendata.ts';
import { itemCitation } from './cite.ts';
import { urls } from './urls.ts';
import { keptPerPlan, planRunsOf } from './plan-cache.ts';

export const ITEM_FILES = ['items.csv', 'items.json'] as const;
export type ItemFile = (typeof ITEM_FILES)[number];

const itemsTable = TABLES.find((t) => t.name === 'items')!;

const columns = Object.keys(itemsTable.columns);
/** The CSV's header line (rowsCsvBytes of no rows). */
const csvHead = () => rowsCsvBytes(columns, [], itemRow);
/** Items' CSV rows without the header: rows are written independently, so a file is its header and its plans' rows. */
const csvRows = (items: readonly PortalItem[]) => rowsCsvBytes(columns, items, itemRow).subarray(csvHead().length);

/**
 * The file of a page's item rows (`items.csv` or `items.json`), written in parts (a region's may hold
 * the whole country). The CSV joins the rows of whole plans kept between builds (src/site/plan-cache.ts)
 * with those of plans it lists in part: the country's is about a thousand plans' rows, one of which a
 * one-item change writes again.
 */
export function itemRowsFile(portal: Portal, items: readonly PortalItem[], file: ItemFile, about: { page: string; title: string }): Buffer {
  if (file === 'items.csv') {
    const runs = planRunsOf(portal, items);
    const kept = runs.some((r) => r.whole) ? keptPerPlan(portal, 'items-csv', csvRows).values : undefined;
    return Buffer.concat([csvHead(), ...runs.map((r) => (r.whole ? kept!.get(r.planId)! : csvRows(r.items)))]);
  }
  return jsonBytes({ table: 'items', title: `${about.title}：整改任务`, page: about.page, asOf: portal.asOf, columns: itemsTable.columns }, { rows: items.map(itemRow) });
}

export const itemFileResponse = (file: string, body: Buffer) =>
  new Response(new Uint8Array(body), { headers: { 'Content-Type': file.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8' } });

/** /items/<id>/item.json: the record as published (verbatim), its current text after amendments, the assessment and the cite line. */
export function itemJson(portal: Portal, p: PortalItem): string {
  return JSON.stringify(
    {
      id: p.item.id,
      url: urls.item(p.item.id),
      asOf: portal.asOf,
      summary: itemRow(p),
      assessment: {
        status: p.assessment.status,
        statusDate: p.assessment.statusDate ?? null,
        deadlineCategory: p.assessment.deadlineCategory,
        due: p.assessment.due,
        overdue: p.assessment.overdue,
        overdueUnreported: p.assessment.overdueUnreported,
        onTime: p.assessment.onTime,
        parts: p.assessment.parts.map((a) => ({ label: a.label ?? null, status: a.status, statusDate: a.statusDate ?? null, deadlineCategory: a.deadlineCategory })),
      },
      record: p.item,
      currentParts: p.parts,
      revisions: p.revisions,
      citation: itemCitation(portal, p).text,
    },
    null,
    1,
  );
}
