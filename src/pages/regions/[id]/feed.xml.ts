/** Atom feed of one region (and the regions below it): item events, cases and reporting rounds. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { feedKey } from '../../../site/page-keys.ts';
import { atomResponse, entityFeed } from '../../../site/feeds.ts';

export function getStaticPaths() {
  const portal = getPortal();
  return portal.content.regions.map((r) => ({ params: { id: r.id }, cacheKey: feedKey(portal, 'regions', r.id) }));
}

export const GET: APIRoute = ({ params }) => atomResponse(entityFeed(getPortal(), 'regions', params.id!));
