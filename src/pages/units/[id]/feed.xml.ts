/** Atom feed of one unit: the events of the items it is responsible for or supervises, and the cases naming it. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { feedKey } from '../../../site/page-keys.ts';
import { atomResponse, entityFeed } from '../../../site/feeds.ts';

export function getStaticPaths() {
  const portal = getPortal();
  return portal.content.units.map((u) => ({ params: { id: u.id }, cacheKey: feedKey(portal, 'units', u.id) }));
}

export const GET: APIRoute = ({ params }) => atomResponse(entityFeed(getPortal(), 'units', params.id!));
