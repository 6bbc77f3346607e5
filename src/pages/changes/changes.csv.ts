/**
 * The whole comparison of two snapshots as CSV (/changes/changes.csv?from=&to=): the page lists at
 * most SHOWN_PER_KIND rows of each kind of change, this lists every one. Dates are checked as the
 * page checks them; a bad request gets the portal's JSON error format with the field named.
 */
import type { APIRoute } from 'astro';
import { readBuilt } from '#runtime';
import { compareSnapshots, comparisonCsv, HISTORY_PATH, parseHistory, readCompareRequest } from '../../site/snapshot-compare.ts';

export const prerender = false;

const error = (status: number, code: string, message: string, fields?: Record<string, string>) =>
  new Response(JSON.stringify({ error: fields ? { code, message, fields } : { code, message } }), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });

export const GET: APIRoute = async ({ url }) => {
  const text = await readBuilt(HISTORY_PATH);
  if (!text) return error(503, 'unavailable', `暂时读不到快照的变化记录（${HISTORY_PATH}），请稍后再试。`);
  const history = parseHistory(text);
  const request = readCompareRequest(url.searchParams, history.dates);
  if (!request.ready) {
    const fields = Object.keys(request.errors).length ? request.errors : { from: '请选择较早的快照', to: '请选择较晚的快照' };
    return error(400, 'invalid_dates', '请给出两个快照的日期：from 较早，to 较晚。', fields);
  }
  return new Response(comparisonCsv(compareSnapshots(history, request.from, request.to)), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="changes-${request.from}-${request.to}.csv"`,
      // The answer changes only with a new build, as the page's.
      'Cache-Control': 'public, max-age=300',
    },
  });
};
