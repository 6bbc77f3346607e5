/** The region reference list as open data; the Worker also reads it to validate complaint regions. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../content/portal.ts';

export const GET: APIRoute = () => {
  const portal = getPortal();
  const rows = portal.content.regions.map((r) => ({ id: r.id, name: r.name, level: r.level, parent: r.parent ?? null }));
  return new Response(JSON.stringify({ table: 'regions', title: '地区', asOf: portal.asOf, rows }, null, 1), {
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
};
