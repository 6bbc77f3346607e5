/** /items/<id>/item.json: one item as data (src/site/downloads.ts). */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { itemJson } from '../../../site/downloads.ts';

export function getStaticPaths() {
  return getPortal().items.map((i) => ({ params: { id: i.item.id } }));
}

export const GET: APIRoute = ({ params }) => {
  const portal = getPortal();
  return new Response(itemJson(portal, portal.item(params.id!)!), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
};
