/**
 * The published complaint results as data: filters shared by the HTML list
 * (/complaints/) and the download (/api/complaints/published, JSON or CSV
 * through src/site/csv.ts: a BOM, and cells that would run as formulas disarmed).
 */
import type { Context } from 'hono';
import { POLLUTION_TYPES } from '../../src/domain/complaint.ts';
import { ENFORCEMENT_FIGURES, VERDICTS } from '../../src/domain/complaint-handling.ts';
import { csvDownload } from '../../src/site/csv.ts';
import { regionFullName, regionTreeOf, unitName, type Reference } from '../../src/site/reference.ts';
import { listPublished, type PublishedFilters } from '../complaint-service.ts';
import type { Database } from '../db.ts';
import { apiError } from '../errors.ts';

export const PUBLISHED_PAGE_SIZE = 50;
const MAX_DOWNLOAD = 10_000;

/** Reads ?region=&type=&verdict=&unit=&item=; a region includes the regions under it. (Paging: functions/routes/paging.ts.) */
export function publishedFilters(c: Context, ref: Reference): { filters: PublishedFilters; error?: string } {
  const q = (k: string) => c.req.query(k)?.trim() || undefined;
  const filters: PublishedFilters = {};
  const region = q('region');
  if (region) {
    if (!ref.regions.some((r) => r.id === region)) return { filters, error: '没有这个地区。' };
    filters.region = regionTreeOf(ref).selfAndDescendantIds(region);
  }
  const type = q('type');
  if (type) {
    if (!(POLLUTION_TYPES as readonly string[]).includes(type)) return { filters, error: '污染类型不在可选范围内。' };
    filters.pollutionType = type;
  }
  const verdict = q('verdict');
  if (verdict) {
    if (!(VERDICTS as readonly string[]).includes(verdict)) return { filters, error: '核查结论不在可选范围内。' };
    filters.verdict = verdict;
  }
  const item = q('item');
  if (item) {
    if (!/^[a-z0-9][a-z0-9-]{0,80}$/.test(item)) return { filters, error: '整改任务编号有误。' };
    filters.item = item;
  }
  const unit = q('unit');
  if (unit) {
    if (!ref.units.some((u) => u.id === unit)) return { filters, error: '没有这个责任单位。' };
    filters.unit = unit;
  }
  return { filters };
}

/** GET /api/complaints/published?format=json|csv — the whole filtered list (up to 10,000 rows; `total` is counted up to 10,000 too). */
export async function publishedDownload(c: Context, db: Database, ref: Reference) {
  const { filters, error } = publishedFilters(c, ref);
  if (error) return apiError(c, 400, 'invalid_filter', error);
  const format = c.req.query('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') return apiError(c, 400, 'invalid_format', 'format 应为 json 或 csv。');
  const { total, capped, rows } = await listPublished(db, filters, {}, MAX_DOWNLOAD);
  const records = rows.map((r) => ({
    reference: r.reference,
    received_at: r.receivedAt,
    region: r.region,
    region_name: regionFullName(ref, r.region),
    pollution_types: r.pollutionTypes.join(';'),
    summary: r.summary,
    investigation: r.investigation,
    verdict: r.verdict,
    result: r.result,
    closed: r.closed,
    state: r.stateLabel,
    responsible_unit: r.responsibleUnit,
    responsible_unit_name: unitName(ref, r.responsibleUnit) ?? null,
    ...Object.fromEntries(ENFORCEMENT_FIGURES.map((f) => [`enforcement_${f.id}`, r.enforcement[f.id] ?? null])),
    published_at: r.publishedAt,
    items: r.items.join(';'),
  }));
  c.header('Cache-Control', 'no-store');
  if (format === 'json') return c.json({ table: 'published-complaints', title: '投诉举报办理情况', total, truncated: capped || total > rows.length, rows: records });
  const headers = {
    reference: '受理编号', received_at: '受理时间', region: '地区编号', region_name: '行政区域', pollution_types: '污染类型',
    summary: '交办问题基本情况', investigation: '调查核实情况', verdict: '是否属实', result: '处理和整改情况', closed: '是否办结',
    state: '办理状态', responsible_unit: '责任单位编号', responsible_unit_name: '责任单位',
    ...Object.fromEntries(ENFORCEMENT_FIGURES.map((f) => [`enforcement_${f.id}`, `${f.label}（${f.unit}）`])),
    published_at: '公开时间',
    items: '关联整改任务编号',
  };
  const csv = csvDownload(records.map((r) => ({ ...r, closed: r.closed ? '是' : '否' })), { header: true, columns: headers });
  c.header('Content-Type', 'text/csv; charset=utf-8');
  c.header('Content-Disposition', 'attachment; filename="published-complaints.csv"');
  return c.body(csv);
}
