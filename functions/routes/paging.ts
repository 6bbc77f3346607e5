/**
 * Keyset paging of the complaint lists (the staff queue, the published results): a page is named
 * by the reference number it follows (`?after=`) or precedes (`?before=`), so that any page is
 * one index range (functions/complaint-service.ts `keysetPage`), never an OFFSET. `?page=` only
 * numbers the page for its reader; the rows do not depend on it.
 */
import type { Context } from 'hono';
import type { KeysetPage, PageKey } from '../complaint-service.ts';
import type { PagerLinks } from '../../src/views/pages.ts';

/** The parameters of paging, left out of a list's filters. */
export const PAGING_PARAMS = ['after', 'before', 'page'];

const REFERENCE = /^[0-9]{4}-[0-9]{6,9}$/;

export function pageKeyOf(c: Context): { key: PageKey; page: number; error?: string } {
  const q = (k: string) => c.req.query(k)?.trim() || undefined;
  const after = q('after');
  const before = q('before');
  if ((after && !REFERENCE.test(after)) || (before && !REFERENCE.test(before)) || (after && before)) return { key: {}, page: 1, error: '分页位置无效。' };
  const pageText = q('page') ?? '1';
  const page = /^\d{1,6}$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : NaN;
  if (Number.isNaN(page)) return { key: {}, page: 1, error: '页码应为正整数。' };
  // Without a position it is the first page, whatever number the address gives.
  return { key: { after, before }, page: after || before ? page : 1 };
}

/** The pager of a list at `path` with its filters `query`: links to the pages before and after the one shown. */
export function pagerOf(path: string, query: Record<string, string>, page: number, result: KeysetPage<unknown>, pageSize: number): PagerLinks {
  const href = (k: 'after' | 'before', ref: string, n: number) => `${path}?${new URLSearchParams({ ...query, [k]: ref, page: String(n) }).toString()}`;
  // Back to the start, the page is 1 again.
  const first = !result.prev;
  const number = first ? 1 : Math.max(2, page);
  return {
    page: number,
    pages: result.capped ? undefined : Math.max(number, Math.ceil(result.total / pageSize), 1),
    prev: result.prev ? (number === 2 ? `${path}${Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''}` : href('before', result.prev, number - 1)) : undefined,
    next: result.next ? href('after', result.next, number + 1) : undefined,
  };
}
