/** Atom feed of one plan: the events of all its items. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { atomResponse, entityFeed } from '../../../site/feeds.ts';

export function getStaticPaths() {
  return getPortal().content.plans.map((p) => ({ params: { id: p.id } }));
}

export const GET: APIRoute = ({ params }) => atomResponse(entityFeed(getPortal(), 'plans', params.id!));
