/** Static open-data files: /data/<table>.csv and /data/<table>.json for every table. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../content/portal.ts';
import { listKey } from '../../site/page-keys.ts';
import { csvBytes, TABLES, tableJsonBytes } from '../../site/opendata.ts';

export function getStaticPaths() {
  const portal = getPortal();
  const cacheKey = listKey(portal, [portal.items]);
  return TABLES.flatMap((t) => [
    { params: { file: `${t.name}.csv` }, props: { table: t.name, format: 'csv' }, cacheKey },
    { params: { file: `${t.name}.json` }, props: { table: t.name, format: 'json' }, cacheKey },
  ]);
}

export const GET: APIRoute = ({ props }) => {
  const portal = getPortal();
  const table = TABLES.find((t) => t.name === props.table)!;
  return props.format === 'csv'
    ? new Response(new Uint8Array(csvBytes(table, portal)), { headers: { 'Content-Type': 'text/csv; charset=utf-8' } })
    : new Response(new Uint8Array(tableJsonBytes(table, portal)), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
};
