/** /items/<id>/item.json: one item as data (src/site/downloads.ts). */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { itemPageKey } from '../../../site/page-keys.ts';
import { itemJson } from '../../../site/downloads.ts';

export function getStaticPaths() {
  const portal = getPortal();
  return portal.items.map((i) => ({ params: { id: i.item.id }, cacheKey: itemPageKey(portal, i) }));
}

export const GET: APIRoute = ({ params }) => {
  const portal = getPortal();
  return new Response(itemJson(portal, portal.item(params.id!)!), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
};
