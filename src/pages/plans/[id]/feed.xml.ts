/** Atom feed of one plan: the events of all its items. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { feedKey } from '../../../site/page-keys.ts';
import { atomResponse, entityFeed } from '../../../site/feeds.ts';

export function getStaticPaths() {
  const portal = getPortal();
  return portal.content.plans.map((p) => ({ params: { id: p.id }, cacheKey: feedKey(portal, 'plans', p.id) }));
}

export const GET: APIRoute = ({ params }) => atomResponse(entityFeed(getPortal(), 'plans', params.id!));
