/** Atom feed of one item: its status changes, amendments, deadlines passing, sign-off windows, cases and reporting rounds. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { feedKey } from '../../../site/page-keys.ts';
import { atomResponse, entityFeed } from '../../../site/feeds.ts';

export function getStaticPaths() {
  const portal = getPortal();
  return portal.items.map((i) => ({ params: { id: i.item.id }, cacheKey: feedKey(portal, 'items', i.item.id) }));
}

export const GET: APIRoute = ({ params }) => atomResponse(entityFeed(getPortal(), 'items', params.id!));
