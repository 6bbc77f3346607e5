/** Atom feed of one item: its status changes, amendments, deadlines passing, sign-off windows, cases and reporting rounds. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { atomResponse, entityFeed } from '../../../site/feeds.ts';

export function getStaticPaths() {
  return getPortal().items.map((i) => ({ params: { id: i.item.id } }));
}

export const GET: APIRoute = ({ params }) => atomResponse(entityFeed(getPortal(), 'items', params.id!));
